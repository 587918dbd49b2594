import type { ConcurrencyLimit } from './adaptive-limit.js';

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * The requests in flight, at most `limit.current` (which moves): an attempt takes a slot before
 * it may go out and gives it back when it has its answer. Waiters are served in order. A slot
 * is held for one attempt only, never across a retry's backoff, so that events waiting to be
 * retried do not keep the others from being sent.
 */
export class RequestSlots {
  private used = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limit: ConcurrencyLimit) {}

  /** Slots taken now. */
  get inUse(): number {
    return this.used;
  }

  /** Attempts waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves when a slot is taken; rejects with the signal's reason if it aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.used < this.limit.current) {
      this.take();
      return Promise.resolve();
    }
    // Demand beyond the limit: the limit was reached, whether or not a slot frees up soon.
    this.limit.acquired(this.used + 1);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    this.used--;
    this.grant();
  }

  /** Lets waiters in while the limit allows (after a release, or when the limit has grown). */
  grant(): void {
    while (this.waiters.length > 0 && this.used < this.limit.current) {
      const waiter = this.waiters.shift() as Waiter;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.take();
      waiter.resolve();
    }
  }

  private take(): void {
    this.used++;
    this.limit.acquired(this.used);
  }
}
