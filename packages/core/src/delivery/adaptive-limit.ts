import { performance } from 'node:perf_hooks';

/**
 * How many requests the sender may have in flight, and what it learns from each of them.
 * Times are milliseconds on one monotonic clock (`performance.now()` unless a test gives its own).
 */
export interface ConcurrencyLimit {
  /** Requests that may be in flight now, 1..max. */
  readonly current: number;
  /** The most it can ever be: what the transport's connections and the worker's heap are sized for. */
  readonly max: number;
  /** A request took a slot; `inUse` counts it. */
  acquired(inUse: number): void;
  /** The server answered (stored or refused the event): how long the exchange took. */
  answered(startedAt: number, responseMs: number): void;
  /** The server pushed back (429, 502, 503, 504) or the request failed (reset, timeout). */
  overloaded(startedAt: number): void;
}

/** `concurrency` set explicitly: the limit the app chose, never adapted. */
export class FixedLimit implements ConcurrencyLimit {
  constructor(readonly current: number) {}
  get max(): number {
    return this.current;
  }
  acquired(): void {}
  answered(): void {}
  overloaded(): void {}
}

export interface AdaptiveLimitOptions {
  /** The ceiling (`maxConcurrency`). */
  max: number;
  /** Where the limit starts. @default 4 (at most `max`) */
  initial?: number;
  now?: () => number;
  tuning?: Partial<AdaptiveTuning>;
}

/** Where the limit starts: what a fixed `concurrency` was by default, a small load for any server. */
export const INITIAL_LIMIT = 4;
/** How the limit reacts; the defaults are what the client uses (tests explore others). */
export interface AdaptiveTuning {
  /** The multiplicative decrease, as in Vector's adaptive request concurrency and TCP. */
  decrease: number;
  /** A window's mean at most this much above the average still counts as "as fast": grow. */
  asFast: number;
  /** A window's mean this much above the average says the server is queueing: shrink. */
  slower: number;
  /**
   * The average believes a faster window quickly and a slower one slowly. A plain moving
   * average follows the latency up one step of the limit at a time (each step queues a little
   * more at the server, and each looks "as fast" as the last), until the server's queue is full
   * and it answers 503; one that rises slowly keeps its memory of the unloaded server, so growth
   * stops where queueing starts.
   */
  averageDown: number;
  averageUp: number;
  /**
   * After a decrease for slowness, a window still this slow says the decrease did not help: the
   * server itself got slower (this client's requests are not queueing there), and the average
   * takes the new response time at once instead of shrinking the limit further.
   */
  didNotHelp: number;
  /** A window lasts one average response time, and at least this long, to hold a few samples. */
  minWindowMs: number;
}

export const DEFAULT_TUNING: AdaptiveTuning = {
  decrease: 0.9,
  asFast: 1.1,
  slower: 1.5,
  averageDown: 0.2,
  averageUp: 0.002,
  didNotHelp: 0.95,
  minWindowMs: 10,
};

/**
 * An AIMD limit on requests in flight, in the spirit of Vector's adaptive request concurrency
 * (src/sinks/util/adaptive_concurrency/controller.rs) and Netflix's concurrency-limits:
 *
 * - answers are gathered in windows of at least one average response time and one answer per
 *   request the limit allows; a window's mean response time is compared with a moving average
 *   of the past windows';
 * - the limit grows by one when it was reached in the window (there was demand for more) and
 *   the window was about as fast as the average (at most 1.1 times);
 * - it is multiplied by 0.9 (at least one less, never below 1) at once on back-pressure (429,
 *   502, 503, 504, a reset, a timeout) and when a window is well above the average (1.5 times).
 *
 * Answers to requests sent before the last change of the limit are left out: they were sent
 * under the old limit and say nothing about the new one (so one burst of 503s makes one
 * decrease, as one loss episode makes one in TCP). Nothing here runs on a timer: the limit
 * changes only as answers arrive, so an idle client costs nothing.
 */
export class AdaptiveLimit implements ConcurrencyLimit {
  readonly max: number;
  private limit: number;
  /** Moving average of the windows' mean response times; undefined before the first answer. */
  private average: number | undefined;
  private windowStart: number;
  private windowSum = 0;
  private windowCount = 0;
  private windowReached = false;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** When the limit last changed: answers to requests sent before say nothing about it. */
  private lastChangeAt = Number.NEGATIVE_INFINITY;
  /** The mean of the slow window that made the last decrease, until the next window is seen. */
  private slowMean: number | undefined;
  private readonly now: () => number;
  private readonly tuning: AdaptiveTuning;

  constructor(options: AdaptiveLimitOptions) {
    this.max = options.max;
    this.limit = Math.min(options.initial ?? INITIAL_LIMIT, options.max);
    this.now = options.now ?? (() => performance.now());
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.windowStart = this.now();
  }

  get current(): number {
    return this.limit;
  }

  /** The moving average of response times (ms), for reports and tests. */
  get averageMs(): number | undefined {
    return this.average;
  }

  acquired(inUse: number): void {
    if (inUse >= this.limit) this.windowReached = true;
  }

  answered(startedAt: number, responseMs: number): void {
    if (startedAt < this.lastChangeAt || !(responseMs >= 0)) return;
    this.windowSum += responseMs;
    this.windowCount++;
    this.closeWindowIfDue();
  }

  overloaded(startedAt: number): void {
    if (startedAt < this.lastDecreaseAt) return;
    this.slowMean = undefined;
    this.decrease();
  }

  private closeWindowIfDue(): void {
    const now = this.now();
    const mean = this.windowSum / this.windowCount;
    const { tuning } = this;
    // At least one average response time and one answer per request the limit allows: answers
    // come in bursts (a server's workers started together finish together), and a window that
    // caught only the quick ones would say the server is faster than it is.
    if (this.windowCount < this.limit) return;
    if (now - this.windowStart < Math.max(this.average ?? 0, tuning.minWindowMs)) return;
    if (this.average === undefined) {
      this.average = mean;
      this.startWindow(now);
      return;
    }
    // After a decrease, one window passes before the limit may grow again: an overloaded server
    // that just refused requests gets a moment to drain before it is probed for more.
    if (this.windowStart === this.lastDecreaseAt && this.slowMean === undefined) {
      this.startWindow(now);
      return;
    }
    const slowMean = this.slowMean;
    this.slowMean = undefined;
    if (slowMean !== undefined && mean >= slowMean * tuning.didNotHelp) this.average = mean;
    const average = this.average;
    this.average += (mean - average) * (mean < average ? tuning.averageDown : tuning.averageUp);
    if (mean > average * tuning.slower) {
      this.decrease();
      this.slowMean = mean;
      return;
    }
    if (this.windowReached && mean <= average * tuning.asFast && this.limit < this.max) {
      this.limit++;
      this.lastChangeAt = now;
    }
    this.startWindow(now);
  }

  private decrease(): void {
    const now = this.now();
    // floor: always at least one less (0.9 × 9 is 8.1).
    this.limit = Math.max(1, Math.floor(this.limit * this.tuning.decrease));
    this.lastDecreaseAt = now;
    this.lastChangeAt = now;
    this.startWindow(now);
  }

  private startWindow(now: number): void {
    this.windowStart = now;
    this.windowSum = 0;
    this.windowCount = 0;
    this.windowReached = false;
  }
}

/** The limit a client's options ask for: fixed when `concurrency` is set, else adaptive. */
export function concurrencyLimitFor(options: {
  concurrency: number | undefined;
  maxConcurrency: number;
}): ConcurrencyLimit {
  return options.concurrency === undefined
    ? new AdaptiveLimit({ max: options.maxConcurrency })
    : new FixedLimit(options.concurrency);
}
