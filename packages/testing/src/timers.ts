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
      }, ms);
      this.pending.add(timer);
    });
  }

  /** Calls fn every ms until the returned stop function is called. */
  every(ms: number, fn: () => void): () => void {
    const timer = setInterval(fn, ms);
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
