import { performance } from 'node:perf_hooks';

/**
 * The app's event-loop utilisation (0..1000, per mille), published by the main thread in a
 * SharedArrayBuffer so that the delivery worker can read it without a message.
 */
export const APP_LOAD_SLOTS = 1;
/** How often the main thread measures its event-loop utilisation while requests are out. */
const SAMPLE_EVERY_MS = 100;

/**
 * Main thread: publishes its own event-loop utilisation for the delivery worker's budget, every
 * 100 ms, only between `start()` and `stop()`: the worker transport runs it while requests are
 * out, so that an idle client does not wake the app's event loop at all (ten wake-ups a second,
 * forever, cost an idle process about 1% of a core).
 */
export class AppLoadPublisher {
  private timer: NodeJS.Timeout | undefined;
  /** Where the last sample ended (an event-loop utilisation mark, and when). */
  private last = performance.eventLoopUtilization();
  private lastAt = performance.now();

  constructor(private readonly target: Int32Array) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Publishes at once, then every 100 ms. The value published at once covers the time since the
   * last sample, the pause included: what the worker's budget has to go on until the next
   * sample. A restart within 100 ms of the last sample (the last answer of a batch, then the
   * next request) keeps the value: a sample over a moment spent inside a callback would read as
   * a fully busy app.
   */
  start(): void {
    if (this.timer) return;
    if (performance.now() - this.lastAt >= SAMPLE_EVERY_MS) this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    // A measurement never keeps the app's process alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.last);
    this.last = now;
    this.lastAt = performance.now();
    Atomics.store(this.target, 0, Math.round(utilization * 1000));
  }
}

export interface DeliveryBudgetOptions {
  /** The app counts as busy above this event-loop utilisation (per mille). */
  busyAbovePerMille: number;
  /** While the app is busy, the share of each window the worker may spend working. */
  share: number;
  windowMs: number;
}

/**
 * Worker side: while the app's event loop is busy, the worker may be active (its own event-loop
 * utilisation) for only `share` of each window; an idle app leaves it unlimited. A thread of
 * the lowest priority still competes with the app whenever the app waits for its next request;
 * this keeps its share small when the app needs the CPU.
 */
export class DeliveryBudget {
  private windowStart = performance.now();
  private windowMark = performance.eventLoopUtilization();

  constructor(
    private readonly appLoad: Int32Array,
    private readonly options: DeliveryBudgetOptions,
  ) {}

  /** 0 when a request may start now, else how long to wait before asking again (ms). */
  waitMs(): number {
    if (Atomics.load(this.appLoad, 0) <= this.options.busyAbovePerMille) return 0;
    const now = performance.now();
    if (now - this.windowStart >= this.options.windowMs) {
      this.windowStart = now;
      this.windowMark = performance.eventLoopUtilization();
      return 0;
    }
    const { active } = performance.eventLoopUtilization(this.windowMark);
    if (active < this.options.share * this.options.windowMs) return 0;
    return this.options.windowMs - (now - this.windowStart);
  }
}
