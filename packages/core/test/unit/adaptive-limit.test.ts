import { describe, expect, it } from 'vitest';
import {
  AdaptiveLimit,
  concurrencyLimitFor,
  FixedLimit,
  INITIAL_LIMIT,
} from '../../src/delivery/adaptive-limit.js';
import { SimulatedServer, type SimulatedServerOptions } from './support/simulated-server.js';

/** A seeded generator, so that a noisy run is the same run every time. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 16 workers × 5 ms: 3,200 requests/s; 8 more may wait, a 503 beyond. */
const ROOMY: SimulatedServerOptions = { workers: 16, serviceMs: 5, queue: 8 };
const capacityOf = (server: SimulatedServerOptions, serviceMs = server.serviceMs) =>
  (server.workers * 1000) / serviceMs;

function drive(options: SimulatedServerOptions, max = 32) {
  const server = new SimulatedServer(options);
  const limit = new AdaptiveLimit({ max, now: server.clock });
  return { server, limit };
}

/** Service times spread evenly over ±40%, and a few ten times as slow (a pause, a GC). */
function noisy(seed: number): () => number {
  const random = seeded(seed);
  return () => (random() < 0.01 ? 10 : 0.6 + random() * 0.8);
}

describe('the adaptive limit against a simulated server (workers × service time, a queue, 503 beyond)', () => {
  it('starts small and rises to the server capacity, without filling its queue or drawing 503s', () => {
    const { server, limit } = drive(ROOMY);
    expect(limit.current).toBe(INITIAL_LIMIT);
    server.run(limit, 1000);
    // Within a second it uses every worker...
    expect(limit.current).toBeGreaterThanOrEqual(ROOMY.workers);
    server.run(limit, 10_000);
    // ...and over ten seconds it gets all the server can do, with the queue short and no 503.
    expect(server.rate(1000, 10_000)).toBeGreaterThan(0.97 * capacityOf(ROOMY));
    expect(server.meanLimit(1000, 10_000)).toBeLessThan(ROOMY.workers + ROOMY.queue);
    expect(server.trace.rejected / server.trace.answered).toBeLessThan(0.01);
  });

  it('holds up under noisy service times: most of the capacity, under 1% answered 503', () => {
    for (const seed of [1, 2, 3]) {
      const { server, limit } = drive({ ...ROOMY, jitter: noisy(seed) });
      server.run(limit, 10_000);
      expect(server.rate(1000, 10_000)).toBeGreaterThan(0.85 * capacityOf(ROOMY));
      expect(server.trace.rejected / server.trace.answered).toBeLessThan(0.01);
    }
  });

  it('comes down within a few round trips when the service time doubles, then uses the slower server fully', () => {
    const { server, limit } = drive(ROOMY);
    server.run(limit, 5000);
    const before = limit.current;
    server.serviceMs = 2 * ROOMY.serviceMs;
    const changedAt = server.now;
    server.run(limit, 15_000);
    const after = server.trace.limits.filter((entry) => entry.at >= changedAt);
    const firstDecrease = after.find((entry) => entry.limit < before);
    expect(firstDecrease?.at).toBeLessThan(changedAt + 100);
    // Lower limits did not make it faster (it is the server, not this client's queueing): the
    // limit does not collapse, and the slower server's capacity is used.
    expect(Math.min(...after.map((entry) => entry.limit))).toBeGreaterThanOrEqual(
      ROOMY.workers / 2,
    );
    const slower = capacityOf(ROOMY, 2 * ROOMY.serviceMs);
    expect(server.rate(changedAt + 1000, 15_000)).toBeGreaterThan(0.97 * slower);
  });

  // Without a queue, every request beyond the workers is a 503, so each probe for more is one:
  // the limit still keeps to the server, with a 503 every few windows.
  it('keeps to the server when it has no queue at all: 503s stay rare', () => {
    const options = { ...ROOMY, queue: 0 };
    const { server, limit } = drive(options);
    server.run(limit, 10_000);
    expect(server.rate(1000, 10_000)).toBeGreaterThan(0.9 * capacityOf(options));
    expect(server.trace.rejected / server.trace.answered).toBeLessThan(0.02);
  });

  it('never goes above maxConcurrency, and reaches it against a server with room for more', () => {
    const { server, limit } = drive({ workers: 64, serviceMs: 5, queue: 0 }, 8);
    server.run(limit, 2000);
    expect(Math.max(...server.trace.limits.map((entry) => entry.limit))).toBe(8);
    expect(limit.current).toBe(8);
  });

  it('starts at maxConcurrency when that is below the initial limit', () => {
    expect(new AdaptiveLimit({ max: 2 }).current).toBe(2);
  });
});

/** A limit on a clock the test moves by hand. */
function manual(initial = 10) {
  let now = 0;
  const limit = new AdaptiveLimit({ max: 32, initial, now: () => now });
  return {
    limit,
    at: (ms: number) => {
      now = ms;
    },
    /** One answer per request the limit allows (a window needs that many), each `ms` long. */
    window(ms: number, reached = true) {
      if (reached) limit.acquired(limit.current);
      const count = limit.current;
      for (let i = 0; i < count; i++) limit.answered(now - ms, ms);
    },
  };
}

describe('the adaptive limit rules, one by one', () => {
  it('grows by one only when the limit was reached in the window', () => {
    const run = manual();
    run.at(20);
    run.window(5, false); // the first window sets the average
    run.at(40);
    run.window(5, false);
    run.at(60);
    run.window(5, false);
    expect(run.limit.current).toBe(10); // responses as fast, but no demand beyond the limit
    run.at(80);
    run.window(5);
    expect(run.limit.current).toBe(11);
  });

  it('decides only once a window holds an answer per request the limit allows', () => {
    const { limit, at } = manual();
    at(20);
    for (let i = 0; i < 9; i++) limit.answered(10, 5);
    expect(limit.averageMs).toBeUndefined();
    limit.answered(10, 5);
    expect(limit.averageMs).toBe(5);
  });

  it('multiplies by 0.9 on back-pressure (at least one less, never below 1), once per round trip', () => {
    const { limit, at } = manual(20);
    at(100);
    limit.overloaded(90);
    expect(limit.current).toBe(18);
    // More 503s for requests sent before that decrease: the same episode, no further decrease.
    limit.overloaded(95);
    limit.overloaded(99);
    expect(limit.current).toBe(18);
    at(110);
    limit.overloaded(105); // sent after the decrease: the server is still overloaded
    expect(limit.current).toBe(16);
    for (let i = 0; i < 40; i++) {
      at(200 + i);
      limit.overloaded(200 + i);
    }
    expect(limit.current).toBe(1);
  });

  it('after back-pressure, waits one window before growing again', () => {
    const run = manual(10);
    run.at(20);
    run.window(5);
    run.at(30);
    run.limit.overloaded(25);
    expect(run.limit.current).toBe(9);
    run.at(50);
    run.window(5); // as fast, the limit reached: but the server just refused a request
    expect(run.limit.current).toBe(9);
    run.at(70);
    run.window(5);
    expect(run.limit.current).toBe(10);
  });

  it('shrinks when a window is well above the average, and takes a slower server as the new normal when shrinking does not help', () => {
    const run = manual(20);
    run.at(20);
    run.window(5); // sets the average
    run.at(40);
    run.window(5);
    expect(run.limit.current).toBe(21);
    expect(run.limit.averageMs).toBe(5);
    // Twice as slow as the average: a decrease.
    run.at(60);
    run.window(10);
    expect(run.limit.current).toBe(18);
    // As slow again after it: the decrease did not help, so the slower server is the new
    // average and the limit grows from there.
    run.at(80);
    run.window(10);
    expect(run.limit.averageMs).toBe(10);
    expect(run.limit.current).toBe(19);
  });

  it('keeps shrinking while each decrease helps (its own requests queue at the server)', () => {
    const run = manual(20);
    run.at(20);
    run.window(5);
    run.at(40);
    run.window(5); // 21
    run.at(60);
    run.window(10); // 18
    run.at(80);
    run.window(8); // faster than the slow window, still well above the average: 16
    expect(run.limit.current).toBe(16);
    expect(run.limit.averageMs).toBeLessThan(6);
  });

  it('ignores answers to requests sent before the last change, and answers without a time', () => {
    const run = manual(20);
    run.at(20);
    run.window(5);
    run.at(40);
    run.limit.overloaded(35);
    expect(run.limit.current).toBe(18);
    run.at(100);
    // Sent before the decrease, very slow: they say nothing about the new limit.
    for (let i = 0; i < 10; i++) run.limit.answered(30, 70);
    run.limit.answered(60, Number.NaN);
    run.limit.answered(60, -1);
    expect(run.limit.current).toBe(18);
    expect(run.limit.averageMs).toBe(5);
  });
});

describe('the limit a client gets from its options', () => {
  it('concurrency set: a fixed limit that nothing moves', () => {
    const limit = concurrencyLimitFor({ concurrency: 3, maxConcurrency: 3 });
    expect(limit).toBeInstanceOf(FixedLimit);
    limit.acquired(3);
    limit.overloaded(0);
    limit.answered(0, 1000);
    expect(limit.current).toBe(3);
    expect(limit.max).toBe(3);
  });

  it('concurrency not set: adaptive, from 4 up to maxConcurrency', () => {
    const limit = concurrencyLimitFor({ concurrency: undefined, maxConcurrency: 32 });
    expect(limit).toBeInstanceOf(AdaptiveLimit);
    expect(limit.current).toBe(INITIAL_LIMIT);
    expect(limit.max).toBe(32);
  });
});
