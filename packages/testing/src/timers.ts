/** Node's timers take at most 2^31-1 ms (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A delay every supported Node.js takes without a process warning. Past 2^31-1 ms Node fires
 * after 1 ms and warns (TimeoutOverflowWarning); Node.js 24 also warns about a negative or NaN
 * delay (TimeoutNegativeWarning, TimeoutNaNWarning), which 20 and 22 ran after 1 ms in silence.
 * A longer wait becomes the longest a timer can wait; a negative or NaN one, none.
 */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

/**
 * Every timer the fake starts (latency, throttling, slow-loris drips), kept so that close()
 * can cancel them all and never leave a test process waiting on the fake.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, timerDelay(ms));
      this.pending.add(timer);
    });
  }

  /** Calls fn every ms until the returned stop function is called. */
  every(ms: number, fn: () => void): () => void {
    const timer = setInterval(fn, timerDelay(ms));
    this.pending.add(timer);
    return () => {
      clearInterval(timer);
      this.pending.delete(timer);
    };
  }

  clearAll(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
