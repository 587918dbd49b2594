import { CapacityGate, checkCapacity } from './capacity.js';
import { RateLimiter } from './rate-limiter.js';
import type {
  BodyPredicate,
  CapacityOptions,
  FailNextOptions,
  FaultControls,
  HostileMode,
  ReadAnswerer,
  ResetNextOptions,
} from './types.js';

/** What a failing event POST is answered with. */
export interface Failure extends FailNextOptions {
  status: number;
}

export type ResetPoint = 'before-body' | 'after-body' | undefined;

const HOSTILE_MODES: ReadonlySet<string> = new Set([
  'huge-body',
  'invalid-json',
  'slow-loris',
  'redirect',
  'hang',
]);

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`faults.${name}: n must be an integer >= 0, got ${n}`);
}

function checkHostileMode(name: string, mode: HostileMode | null): void {
  if (mode !== null && !HOSTILE_MODES.has(mode)) {
    throw new RangeError(`faults.${name}: unknown mode ${JSON.stringify(mode)}`);
  }
}

function checkStatus(name: string, status: number): void {
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw new RangeError(`faults.${name}: status must be an HTTP status 100-599, got ${status}`);
  }
}

/**
 * The fault switches and the per-request decisions drawn from them. Counted faults (failNext,
 * resetNext) are consumed by event POSTs only; hostile and latency apply to every request.
 */
export class FaultState implements FaultControls {
  hostileMode: HostileMode | null = null;
  hostileReadsMode: HostileMode | null = null;
  readAnswerer: ReadAnswerer | null = null;
  latencyMs = 0;
  limiter: RateLimiter | null = null;
  capacityGate: CapacityGate | null = null;
  private failLeft = 0;
  private failWith: Failure = { status: 503 };
  private failFraction = 0;
  private failRateStatus = 503;
  private predicate: BodyPredicate | null = null;
  private resetLeft = 0;
  private resetAfterBody = false;

  constructor(
    private readonly random: () => number,
    private readonly server: { down(): Promise<void>; up(): Promise<void> },
  ) {}

  failNext(n: number, status = 503, options: FailNextOptions = {}): void {
    checkCount('failNext', n);
    checkStatus('failNext', status);
    this.failLeft = n;
    this.failWith = { status, retryAfter: options.retryAfter, body: options.body };
  }

  failRate(fraction: number, status = 503): void {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new RangeError(`faults.failRate: fraction must be within 0..1, got ${fraction}`);
    }
    checkStatus('failRate', status);
    this.failFraction = fraction;
    this.failRateStatus = status;
  }

  failWhen(predicate: BodyPredicate | null): void {
    this.predicate = predicate;
  }

  resetNext(n: number, options: ResetNextOptions = {}): void {
    checkCount('resetNext', n);
    this.resetLeft = n;
    this.resetAfterBody = options.afterBody ?? false;
  }

  latency(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`faults.latency: ms must be >= 0, got ${ms}`);
    this.latencyMs = ms;
  }

  down(): Promise<void> {
    return this.server.down();
  }

  up(): Promise<void> {
    return this.server.up();
  }

  rateLimit(eventsPerSecond: number | null): void {
    if (eventsPerSecond !== null && !(eventsPerSecond > 0)) {
      throw new RangeError(
        `faults.rateLimit: expected a positive number or null, got ${eventsPerSecond}`,
      );
    }
    this.limiter = eventsPerSecond === null ? null : new RateLimiter(eventsPerSecond);
  }

  capacity(options: CapacityOptions | null): void {
    if (options === null) {
      // Requests waiting for a worker go on at once: the server has no limit any more.
      this.capacityGate?.releaseAll();
      this.capacityGate = null;
      return;
    }
    if (typeof options !== 'object') {
      throw new TypeError(
        'faults.capacity: expected { workers, serviceMs, queue? } or null to turn it off',
      );
    }
    checkCapacity('faults.capacity', options);
    if (this.capacityGate) this.capacityGate.configure(options);
    else this.capacityGate = new CapacityGate(options);
  }

  hostile(mode: HostileMode | null): void {
    checkHostileMode('hostile', mode);
    this.hostileMode = mode;
  }

  hostileReads(mode: HostileMode | null): void {
    checkHostileMode('hostileReads', mode);
    this.hostileReadsMode = mode;
  }

  answerReads(answerer: ReadAnswerer | null): void {
    if (answerer !== null && typeof answerer !== 'function') {
      throw new TypeError('faults.answerReads: expected a function or null');
    }
    this.readAnswerer = answerer;
  }

  /** Turns every fault off. A server taken down stays down until up(): that one is async. */
  reset(): void {
    this.hostileMode = null;
    this.hostileReadsMode = null;
    this.readAnswerer = null;
    this.latencyMs = 0;
    this.limiter = null;
    this.capacity(null);
    this.failLeft = 0;
    this.failFraction = 0;
    this.predicate = null;
    this.resetLeft = 0;
  }

  /** Consumes one resetNext, if any is left. */
  takeReset(): ResetPoint {
    if (this.resetLeft === 0) return undefined;
    this.resetLeft--;
    return this.resetAfterBody ? 'after-body' : 'before-body';
  }

  /** Decides whether this event POST fails: failNext first, then failWhen, then failRate. */
  takeFailure(body: () => unknown): Failure | undefined {
    if (this.failLeft > 0) {
      this.failLeft--;
      return this.failWith;
    }
    if (this.predicate) {
      const status = this.predicate(body());
      if (status !== undefined) return { status };
    }
    if (this.failFraction > 0 && this.random() < this.failFraction) {
      return { status: this.failRateStatus };
    }
    return undefined;
  }
}
