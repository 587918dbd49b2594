import type { EventClient } from '@authentik-events/core';
import { describe, expect, it } from 'vitest';
import { connect, eventPosts, expectAccounting, startFake, waitUntil } from './helpers.js';

// The limit on requests in flight adapts to authentik's response times (adaptive-limit.ts).
// These run against the test double's capacity mode: a server of 16 workers × 5 ms (about
// 3,200 events/s) with 8 more requests allowed to wait, and a 503 beyond. Behaviour bounds only
// (the limit grew, few 503s, no request during a pause); speeds are measured in bench/.
const ROOMY = { workers: 16, serviceMs: 5, queue: 8 };
const INITIAL_LIMIT = 4;

/** Reads `stats().concurrencyLimit` every few ms until stopped. */
function sampleLimit(client: EventClient) {
  const samples: Array<{ at: number; limit: number }> = [];
  const timer = setInterval(() => {
    samples.push({ at: Date.now(), limit: client.stats().concurrencyLimit });
  }, 3);
  return {
    samples,
    stop: () => clearInterval(timer),
    max: () => Math.max(...samples.map((sample) => sample.limit)),
  };
}

function emitBacklog(client: EventClient, count: number): void {
  for (let i = 0; i < count; i++) client.emit({ action: 'custom_backlog', context: { i } });
}

/** The share of event POSTs the server answered 503 because it was full. */
function refusedShare(fake: Awaited<ReturnType<typeof startFake>>): number {
  const { served, rejected } = fake.capacityStats;
  return rejected / (served + rejected);
}

describe('the adaptive limit on real sockets, against a server of limited capacity', () => {
  it.each(['background', 'in-process'] as const)(
    'rises above where it starts against a roomy server, with few 503s (delivery %s)',
    { timeout: 60_000 },
    async (delivery) => {
      const fake = await startFake({ capacity: ROOMY });
      const { client } = connect(fake, { delivery });
      expect(client.stats().concurrencyLimit).toBe(INITIAL_LIMIT);
      const limits = sampleLimit(client);
      emitBacklog(client, 4000);
      const report = await client.flush();
      limits.stop();
      expect(report).toMatchObject({ delivered: 4000, complete: true });
      expect(limits.max()).toBeGreaterThan(INITIAL_LIMIT);
      expect(refusedShare(fake)).toBeLessThan(0.05);
      expect(fake.events).toHaveLength(4000);
      expectAccounting(client.stats());
    },
  );

  // Long service times, so that doubling them stands out from what a loaded machine adds to
  // every answer (tens to hundreds of ms when the tests share two CPUs with much else). The
  // limit starts at its ceiling, one request per worker, where it has no reason to move: a
  // decrease after the switch is the server's doing.
  it('comes down after the server gets twice as slow', { timeout: 120_000 }, async () => {
    const SLOW = { workers: 4, serviceMs: 250, queue: 2 };
    const fake = await startFake({ capacity: SLOW });
    const { client } = connect(fake, { maxConcurrency: SLOW.workers });
    emitBacklog(client, 200);
    // Some answers first, for the limit's average of response times.
    await waitUntil(
      () => client.stats().delivered >= 12 && client.stats().concurrencyLimit === SLOW.workers,
      'answers at the full limit',
      60_000,
    );
    fake.faults.capacity({ ...SLOW, serviceMs: 2 * SLOW.serviceMs });
    await waitUntil(
      () => client.stats().concurrencyLimit < SLOW.workers,
      'the limit to come down',
      60_000,
    );
    const report = await client.flush();
    expect(report.complete).toBe(true);
    expect(fake.events).toHaveLength(200);
    expect(fake.capacityStats.rejected).toBe(0);
  });

  it('a Retry-After in the middle of a drain still pauses every request', {
    timeout: 60_000,
  }, async () => {
    const PAUSE_MS = 1000;
    /** A request sent before the 429 reached the client may land just after it. */
    const IN_FLIGHT_SLACK_MS = 200;
    const fake = await startFake({ capacity: ROOMY });
    const { client } = connect(fake, { retry: { retries: 1, minDelayMs: 10, maxDelayMs: 100 } });
    emitBacklog(client, 3000);
    await waitUntil(() => fake.capacityStats.served >= 500, '500 events served', 20_000);
    fake.faults.failNext(1, 429, { retryAfter: PAUSE_MS / 1000 });
    const report = await client.flush();
    expect(report.complete).toBe(true);
    expect(client.stats().delivered).toBe(3000);
    const posts = eventPosts(fake);
    const refusal = posts.find((request) => request.status === 429);
    expect(refusal).toBeDefined();
    const from = (refusal?.receivedAt ?? 0) + IN_FLIGHT_SLACK_MS;
    const until = (refusal?.receivedAt ?? 0) + PAUSE_MS - 20;
    const during = posts.filter(
      (request) => request.receivedAt > from && request.receivedAt < until,
    );
    expect(during).toEqual([]);
  });

  it('concurrency set: a fixed limit, never more in flight, never adapted', {
    timeout: 60_000,
  }, async () => {
    const fake = await startFake({ capacity: ROOMY });
    const { client } = connect(fake, { concurrency: 3 });
    const limits = sampleLimit(client);
    emitBacklog(client, 1500);
    const report = await client.flush();
    limits.stop();
    expect(report.delivered).toBe(1500);
    expect(fake.maxConcurrent).toBe(3);
    expect(new Set(limits.samples.map((sample) => sample.limit))).toEqual(new Set([3]));
  });

  it('maxConcurrency caps the limit: never more in flight, however roomy the server', {
    timeout: 60_000,
  }, async () => {
    const fake = await startFake({ capacity: { workers: 64, serviceMs: 5, queue: 0 } });
    const { client } = connect(fake, { maxConcurrency: 6 });
    const limits = sampleLimit(client);
    emitBacklog(client, 3000);
    const report = await client.flush();
    limits.stop();
    expect(report.delivered).toBe(3000);
    expect(limits.max()).toBe(6);
    expect(fake.maxConcurrent).toBeLessThanOrEqual(6);
  });
});
