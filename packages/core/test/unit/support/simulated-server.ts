import type { ConcurrencyLimit } from '../../../src/delivery/adaptive-limit.js';

/**
 * A server of `workers` that each serve one request for `serviceMs`, with `queue` more waiting
 * and a 503 beyond that, driven in simulated time by a client that always has more to send
 * (a backlog) and keeps `limit.current` requests in flight. Discrete events, no timers: a
 * minute of traffic runs in milliseconds and the same inputs give the same run.
 */
export interface SimulatedServerOptions {
  workers: number;
  serviceMs: number;
  queue: number;
  /** How long a 503 takes to come back. @default 0.2 */
  rejectMs?: number;
  /** Added to every answer's time (the network and the client's own work). @default 0.3 */
  overheadMs?: number;
  /** Multiplies each service time (noise); called once per request. @default () => 1 */
  jitter?: () => number;
}

export interface SimulationTrace {
  /** The limit after each answer, with its time and whether the server stored it. */
  limits: Array<{ at: number; limit: number; stored: boolean }>;
  answered: number;
  rejected: number;
  /** The most requests waiting in the server's queue at once. */
  maxQueued: number;
}

/** A worker frees up (`served`), or an answer reaches the client (`answer` / `rejected`). */
interface Pending {
  at: number;
  kind: 'served' | 'answer' | 'rejected';
  startedAt: number;
}

export class SimulatedServer {
  now = 0;
  serviceMs: number;
  private busy = 0;
  private readonly waiting: number[] = [];
  private readonly events: Pending[] = [];
  private inFlight = 0;
  readonly trace: SimulationTrace = { limits: [], answered: 0, rejected: 0, maxQueued: 0 };

  constructor(private readonly options: SimulatedServerOptions) {
    this.serviceMs = options.serviceMs;
  }

  /** The clock to give the limit. */
  readonly clock = (): number => this.now;

  /** Runs the closed loop until `until` (ms of simulated time). */
  run(limit: ConcurrencyLimit, until: number): SimulationTrace {
    this.fill(limit);
    for (;;) {
      const next = this.events.shift();
      if (!next || next.at > until) {
        if (next) this.events.unshift(next);
        this.now = until;
        return this.trace;
      }
      this.now = next.at;
      if (next.kind === 'served') {
        this.finished();
        this.schedule(next.startedAt, this.now + this.overheadMs, 'answer');
        continue;
      }
      this.inFlight--;
      if (next.kind === 'rejected') {
        this.trace.rejected++;
        limit.overloaded(next.startedAt);
      } else {
        this.trace.answered++;
        limit.answered(next.startedAt, next.at - next.startedAt);
      }
      this.trace.limits.push({
        at: this.now,
        limit: limit.current,
        stored: next.kind === 'answer',
      });
      this.fill(limit);
    }
  }

  /** Stored events per second between two times. */
  rate(from: number, to: number): number {
    const stored = this.trace.limits.filter(
      (entry) => entry.stored && entry.at >= from && entry.at < to,
    ).length;
    return (stored * 1000) / (to - from);
  }

  /** The mean limit between two times (by answers). */
  meanLimit(from: number, to: number): number {
    const entries = this.trace.limits.filter((entry) => entry.at >= from && entry.at < to);
    return entries.reduce((sum, entry) => sum + entry.limit, 0) / Math.max(1, entries.length);
  }

  private fill(limit: ConcurrencyLimit): void {
    while (this.inFlight < limit.current) {
      this.inFlight++;
      limit.acquired(this.inFlight);
      this.arrive(this.now);
    }
  }

  private arrive(startedAt: number): void {
    if (this.busy < this.options.workers) {
      this.busy++;
      this.schedule(startedAt, this.now + this.service(), 'served');
    } else if (this.waiting.length < this.options.queue) {
      this.waiting.push(startedAt);
      this.trace.maxQueued = Math.max(this.trace.maxQueued, this.waiting.length);
    } else {
      this.schedule(startedAt, this.now + (this.options.rejectMs ?? 0.2), 'rejected');
    }
  }

  private finished(): void {
    this.busy--;
    const startedAt = this.waiting.shift();
    if (startedAt === undefined) return;
    this.busy++;
    this.schedule(startedAt, this.now + this.service(), 'served');
  }

  private service(): number {
    return this.serviceMs * (this.options.jitter?.() ?? 1);
  }

  private get overheadMs(): number {
    return this.options.overheadMs ?? 0.3;
  }

  private schedule(startedAt: number, at: number, kind: Pending['kind']): void {
    const event = { at, kind, startedAt };
    let index = this.events.length;
    while (index > 0 && (this.events[index - 1] as Pending).at > event.at) index--;
    this.events.splice(index, 0, event);
  }
}
