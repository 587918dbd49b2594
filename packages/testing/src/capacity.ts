import type { CapacityOptions, CapacityStats } from './types.js';

/** Checks a capacity setting, with a message that names what is wrong. */
export function checkCapacity(name: string, options: CapacityOptions): void {
  const { workers, serviceMs, queue = 0 } = options;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`${name}: workers must be an integer >= 1, got ${workers}`);
  }
  if (!(serviceMs >= 0 && serviceMs < 2 ** 31)) {
    throw new RangeError(`${name}: serviceMs must be a number of ms >= 0, got ${serviceMs}`);
  }
  if (!Number.isInteger(queue) || queue < 0) {
    throw new RangeError(`${name}: queue must be an integer >= 0, got ${queue}`);
  }
}

/**
 * A server of limited capacity, as authentik is: `workers` event POSTs served at once, each
 * taking `serviceMs`; up to `queue` more wait for a worker, in order; beyond that, a 503 at
 * once, as a proxy in front of a full server answers. The settings can change while requests
 * are in service (a server getting slower): a request is served with the service time in force
 * when a worker takes it.
 */
export class CapacityGate {
  private settings: Required<CapacityOptions>;
  private inService = 0;
  private readonly waiting: Array<{ admit: () => void; since: number }> = [];
  private maxWaiting = 0;
  private rejected = 0;
  private served = 0;
  private waited = 0;
  private waitedMs = 0;
  /** The time workers spent serving, in all (ms): the integral of `inService` over time. */
  private busyMs = 0;
  private busySince = performance.now();

  constructor(options: CapacityOptions) {
    this.settings = { queue: 0, ...options };
  }

  get serviceMs(): number {
    return this.settings.serviceMs;
  }

  /** New settings; more workers take waiting requests at once. */
  configure(options: CapacityOptions): void {
    this.settings = { queue: 0, ...options };
    this.admitWaiting();
  }

  /**
   * Takes a worker, or a place in the queue (resolves when a worker takes it); `false` when the
   * queue is full too: answer 503.
   */
  enter(): Promise<void> | false {
    if (this.inService < this.settings.workers) {
      this.accountBusy();
      this.inService++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.settings.queue) {
      this.rejected++;
      return false;
    }
    return new Promise((resolve) => {
      this.waiting.push({ admit: resolve, since: performance.now() });
      this.maxWaiting = Math.max(this.maxWaiting, this.waiting.length);
    });
  }

  /** A request was served (or given up): its worker takes the next waiting one. */
  leave(): void {
    this.accountBusy();
    this.inService--;
    this.served++;
    this.admitWaiting();
  }

  /** Lets every waiting request in (the mode was turned off). */
  releaseAll(): void {
    for (const waiter of this.waiting.splice(0)) this.admit(waiter);
  }

  stats(): CapacityStats {
    return {
      inService: this.inService,
      waiting: this.waiting.length,
      maxWaiting: this.maxWaiting,
      rejected: this.rejected,
      served: this.served,
      waited: this.waited,
      waitedMs: this.waitedMs,
      busyMs: this.accountBusy(),
    };
  }

  /** Forgets the counters (`clear()`); requests in service or waiting stay. */
  clearCounters(): void {
    this.maxWaiting = this.waiting.length;
    this.rejected = 0;
    this.served = 0;
    this.waited = 0;
    this.waitedMs = 0;
    this.accountBusy();
    this.busyMs = 0;
  }

  /** Adds the time since the last change, at the current number in service; returns the total. */
  private accountBusy(): number {
    const now = performance.now();
    this.busyMs += this.inService * (now - this.busySince);
    this.busySince = now;
    return this.busyMs;
  }

  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.inService < this.settings.workers) {
      this.admit(this.waiting.shift() as { admit: () => void; since: number });
    }
  }

  private admit(waiter: { admit: () => void; since: number }): void {
    this.accountBusy();
    this.inService++;
    this.waited++;
    this.waitedMs += performance.now() - waiter.since;
    waiter.admit();
  }
}
