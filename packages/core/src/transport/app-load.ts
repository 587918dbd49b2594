import { performance } from 'node:perf_hooks';

/**
 * The app's event-loop utilisation (0..1000, per mille), published by the main thread in a
 * SharedArrayBuffer so that the delivery worker can read it without a message.
 */
export const APP_LOAD_SLOTS = 1;
/** How often the main thread measures its event-loop utilisation. */
const SAMPLE_EVERY_MS = 100;

/** Main thread: measures its own event-loop utilisation every 100 ms; returns a stop function. */
export function publishAppLoad(target: Int32Array): () => void {
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    Atomics.store(target, 0, Math.round(utilization * 1000));
  }, SAMPLE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
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
