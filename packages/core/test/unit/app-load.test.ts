import { describe, expect, it } from 'vitest';
import { AppLoadPublisher, DeliveryBudget } from '../../src/transport/app-load.js';

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

describe('AppLoadPublisher', () => {
  it('publishes the event-loop utilisation of the calling thread, per mille, while started', async () => {
    const load = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(load, 0, -1);
    const publisher = new AppLoadPublisher(load);
    publisher.start();
    try {
      expect(publisher.running).toBe(true);
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
      publisher.stop();
    }
  });

  it('publishes nothing once stopped, and at once on a restart, over the whole pause', async () => {
    const load = new Int32Array(new SharedArrayBuffer(4));
    const publisher = new AppLoadPublisher(load);
    publisher.start();
    await new Promise((resolve) => setTimeout(resolve, 110));
    publisher.stop();
    expect(publisher.running).toBe(false);

    // Stopped: a busy stretch is not published by any timer.
    Atomics.store(load, 0, -1);
    spin(150);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(Atomics.load(load, 0)).toBe(-1);

    // A restart publishes at once what the pause held: 150 ms busy out of some 400 ms.
    publisher.start();
    try {
      const sinceLastSample = Atomics.load(load, 0);
      expect(sinceLastSample).toBeGreaterThan(150);
      expect(sinceLastSample).toBeLessThan(700);
    } finally {
      publisher.stop();
    }
  });

  it('keeps the last value on a restart within 100 ms of the last sample', async () => {
    const load = new Int32Array(new SharedArrayBuffer(4));
    const publisher = new AppLoadPublisher(load);
    await new Promise((resolve) => setTimeout(resolve, 110));
    publisher.start();
    const first = Atomics.load(load, 0);
    publisher.stop();
    // A moment spent inside a callback: sampled, it would read as fully busy.
    Atomics.store(load, 0, -1);
    spin(5);
    publisher.start();
    publisher.stop();
    expect(Atomics.load(load, 0)).toBe(-1);
    expect(first).toBeLessThan(500);
  });
});
