import { createEventClient, type DroppedEvent, type DropReason } from '@authentik-events/core';
import { startFakeAuthentik } from '@authentik-events/testing';
import { describe, expect, it } from 'vitest';
import { sleep, startLoad } from './support/run-load.js';
import { finishScenario, startScenario } from './support/scenario.js';

const RETRIES = 3;

// Scenario 8. issue: one poison event the server answers 500 forever, among events that
// succeed; here one such event, emitted by a route 1 s into 3 s of load at 150 requests/s,
// with 3 retries (the default is 8; fewer only make it end sooner).
it('drops a poison event as retries_exhausted without holding up the others', async () => {
  const drops: Array<{ events: DroppedEvent[]; reason: DropReason }> = [];
  const scenario = await startScenario({
    adapter: {
      // Full jitter draws each delay from 0..ceiling; ceilings of 300, 600 and 1200 ms leave the
      // retries a window long enough for other events to go out during it, at any draw that is
      // not vanishingly unlikely (with 20..200 ms a run once drew a window of a few ms).
      retry: { retries: RETRIES, minDelayMs: 300, maxDelayMs: 1200 },
      onDrop: (events: DroppedEvent[], reason: DropReason) => drops.push({ events, reason }),
    },
    routes: {
      '/poison': (events) => {
        events.emit('custom_poison', { context: { poison: true } });
      },
    },
  });
  const { fake, app } = scenario;
  fake.faults.failWhen((body) => (body?.context?.poison === true ? 500 : undefined));
  const load = await startLoad({ url: app.url, durationMs: 3000, rate: 150 });
  await sleep(1000);
  const poisonResponse = await fetch(`${app.url}/poison`);
  expect(await poisonResponse.text()).toBe('ok');
  const result = await load.done;

  // The /poison request itself is answered and recorded (+1), and it emitted the poison (+1).
  const { tally } = await finishScenario('8 poison event', scenario, result, { extraEvents: 2 });
  expect(tally.dropped).toEqual({ retries_exhausted: 1 });
  expect(tally.stored).toBe(result.sent + 1);
  const poisonAttempts = fake.requests.filter((request) => request.body.includes('"poison":true'));
  expect(poisonAttempts.map((request) => request.status)).toEqual(Array(RETRIES + 1).fill(500));
  expect(drops).toHaveLength(1);
  expect(drops[0]?.reason).toBe('retries_exhausted');
  expect(drops[0]?.events.map((event) => event.action)).toEqual(['custom_poison']);
  expect(fake.events.some((event) => event.context.poison === true)).toBe(false);
  // Events that went out after the poison first failed were stored while it was being retried.
  const firstFailure = poisonAttempts[0]?.receivedAt ?? 0;
  const lastFailure = poisonAttempts.at(-1)?.receivedAt ?? 0;
  const storedMeanwhile = fake.requests.filter(
    (request) =>
      request.status === 201 &&
      request.receivedAt > firstFailure &&
      request.receivedAt < lastFailure,
  );
  expect(storedMeanwhile.length).toBeGreaterThan(0);
});

// Found by an adversarial sweep: once five failures in a row open the circuit, every attempt is
// a probe, and a probe did not use up a retry. An event authentik answers 500 forever then kept
// the circuit open, and its sender's slot, until maxRetryTimeMs (10 min), and with as many such
// events as `concurrency` nothing else was delivered at all.
describe('poison events at the head of the line: they end as retries_exhausted, the rest goes on', () => {
  it.each([1, 4])('concurrency %i with as many poison events first', async (concurrency) => {
    const fake = await startFakeAuthentik({ quiet: true });
    try {
      fake.faults.failWhen((body) => (body?.context?.poison === true ? 500 : undefined));
      const client = createEventClient({
        url: fake.url,
        token: fake.token,
        app: 'poison',
        concurrency,
        flushIntervalMs: 10,
        retry: { retries: 3, minDelayMs: 10, maxDelayMs: 50 },
      });
      for (let i = 0; i < concurrency; i++)
        client.emit({ action: 'custom_poison', context: { poison: true } });
      for (let i = 0; i < 20; i++) client.emit({ action: 'custom_fine', context: { i } });
      const report = await client.flush({ timeoutMs: 25_000 });
      await client.close({ timeoutMs: 1000 });
      expect(report).toMatchObject({ complete: true, delivered: 20 });
      expect(report.dropped.retries_exhausted).toBe(concurrency);
      const poisonAttempts = fake.requests.filter((r) => r.body.includes('"poison":true'));
      expect(poisonAttempts).toHaveLength(concurrency * 4);
    } finally {
      await fake.close();
    }
  });

  // Adaptive (the default): an event waiting out its retry's backoff holds no request slot, and
  // another lane takes an event meanwhile, so that the fine events are delivered while the
  // poison ones are still being retried, even with more of them than the limit at its start.
  it('the adaptive limit: fine events are stored while twice as many poison events as the limit are retried', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    try {
      fake.faults.failWhen((body) => (body?.context?.poison === true ? 500 : undefined));
      const client = createEventClient({
        url: fake.url,
        token: fake.token,
        app: 'poison',
        flushIntervalMs: 10,
        retry: { retries: 3, minDelayMs: 1000, maxDelayMs: 1000 },
      });
      const poison = 2 * client.stats().concurrencyLimit;
      for (let i = 0; i < poison; i++)
        client.emit({ action: 'custom_poison', context: { poison: true } });
      for (let i = 0; i < 20; i++) client.emit({ action: 'custom_fine', context: { i } });
      const report = await client.flush({ timeoutMs: 60_000 });
      await client.close({ timeoutMs: 1000 });
      expect(report).toMatchObject({ complete: true, delivered: 20 });
      expect(report.dropped.retries_exhausted).toBe(poison);
      const attempts = (poisoned: boolean) =>
        fake.requests
          .filter((r) => r.body.includes('"poison":true') === poisoned)
          .map((r) => r.receivedAt);
      expect(attempts(true)).toHaveLength(poison * 4);
      // With the poison events in the lanes until they gave up, every fine one would come after.
      expect(Math.max(...attempts(false))).toBeLessThan(Math.max(...attempts(true)));
    } finally {
      await fake.close();
    }
  }, 90_000);
});
