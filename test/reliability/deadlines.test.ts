import { type AuthentikEventsError, createEventClient } from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identityHolds } from './support/accounting.js';

// Node's timers take at most 2^31-1 ms: a longer delay, or Infinity, fires after 1 ms. Every
// deadline the app can give must mean what it says.

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

function connect(errors: AuthentikEventsError[] = []) {
  return createEventClient({
    url: fake.url,
    token: fake.token,
    app: 'deadlines',
    flushIntervalMs: 10_000,
    onError: (error) => errors.push(error),
  });
}

describe('deadline overflow: huge or infinite timeouts wait, they do not fire at once', () => {
  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^31', 2 ** 31],
    ['2^40', 2 ** 40],
  ])(
    'close({ timeoutMs: %s }) delivers every event on a healthy server',
    async (_name, timeoutMs) => {
      fake.faults.latency(50);
      const client = connect();
      for (let i = 0; i < 30; i++) client.emit({ action: 'custom_step', context: { i } });
      const report = await client.close({ timeoutMs });
      fake.faults.latency(0);
      expect(report.complete).toBe(true);
      expect(report.delivered).toBe(30);
      expect(client.stats().dropped.closed).toBe(0);
      expect(fake.events).toHaveLength(30);
    },
  );

  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^31', 2 ** 31],
  ])('flush({ timeoutMs: %s }) waits for every event', async (_name, timeoutMs) => {
    fake.faults.latency(50);
    const client = connect();
    for (let i = 0; i < 10; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.flush({ timeoutMs });
    fake.faults.latency(0);
    expect(report).toMatchObject({ complete: true, delivered: 10, pending: 0 });
    await client.close();
  });

  it.each([
    ['NaN', Number.NaN],
    ['negative', -5],
    ['a string', '1000'],
  ])(
    'close({ timeoutMs: %s }) is reported as a ConfigError and the default deadline applies',
    async (_name, timeoutMs) => {
      const errors: AuthentikEventsError[] = [];
      const client = connect(errors);
      for (let i = 0; i < 5; i++) client.emit({ action: 'custom_step', context: { i } });
      const report = await client.close({ timeoutMs: timeoutMs as number });
      expect(report).toMatchObject({ complete: true, delivered: 5 });
      expect(errors.map((error) => error.code)).toEqual(['ERR_AUTHENTIK_EVENTS_CONFIG']);
      expect(errors[0]?.message).toContain('timeoutMs');
      expect(identityHolds(client.stats())).toBe(true);
    },
  );
});
