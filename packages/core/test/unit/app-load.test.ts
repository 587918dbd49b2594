import { describe, expect, it } from 'vitest';
import { DeliveryBudget, publishAppLoad } from '../../src/transport/app-load.js';

const OPTIONS = { busyAbovePerMille: 900, share: 0.05, windowMs: 100 };

/** Keeps this thread's event loop active (not idle) for `ms`. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
}

describe('DeliveryBudget', () => {
  it('never holds a request back while the app is not busy', () => {
    const load = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(load, 0, 900);
    const budget = new DeliveryBudget(load, OPTIONS);
    spin(20);
    expect(budget.waitMs()).toBe(0);
  });

  it('while the app is busy, holds requests back once the window share is used, until the window ends', () => {
    const load = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(load, 0, 901);
    const budget = new DeliveryBudget(load, OPTIONS);
    expect(budget.waitMs()).toBe(0); // nothing used yet
    spin(20); // 20 ms active: more than 5% of 100 ms
    const wait = budget.waitMs();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(80);
    // The app is no longer busy: no waiting, whatever was used.
    Atomics.store(load, 0, 100);
    expect(budget.waitMs()).toBe(0);
  });
});

describe('publishAppLoad', () => {
  it('publishes the event-loop utilisation of the calling thread, per mille', async () => {
    const load = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(load, 0, -1);
    const stop = publishAppLoad(load);
    try {
      // Busy for a whole sampling period, then let the 100 ms timer run.
      await new Promise((resolve) => setTimeout(resolve, 110));
      spin(150);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const busy = Atomics.load(load, 0);
      expect(busy).toBeGreaterThan(500);
      expect(busy).toBeLessThanOrEqual(1000);
      // Idle for a whole period.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(Atomics.load(load, 0)).toBeLessThan(500);
    } finally {
      stop();
    }
  });
});
