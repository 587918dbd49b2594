import { type AuthentikEventsError, ConfigError, createEventClient } from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { copiesById, identityHolds } from './support/accounting.js';

const CONCURRENCY = 48;
const EVENTS = 60;
/** About 1.5 MB of UTF-8; the one Cyrillic letter makes V8 keep it in 2 bytes per character. */
const LARGE = `${'x'.repeat(1_500_000)}ж`;

let fake: FakeAuthentik | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('resource limits: the delivery worker holds every request a legal configuration allows in flight', () => {
  it(`concurrency ${CONCURRENCY} with 1.5 MB events: everything delivered, no worker crash, no retry`, async () => {
    fake = await startFakeAuthentik({ quiet: true });
    const errors: AuthentikEventsError[] = [];
    const client = createEventClient({
      url: fake.url,
      token: fake.token,
      app: 'worker-heap',
      delivery: 'worker',
      concurrency: CONCURRENCY,
      maxEventBytes: 2 * 2 ** 20,
      maxQueueBytes: 512 * 2 ** 20,
      // The local authentik parses 1.5 MB bodies slowly; no request may time out here.
      requestTimeoutMs: 170_000,
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < EVENTS; i++) {
      expect(client.emit({ action: 'custom_large', context: { i, large: LARGE } })).toBe(true);
    }
    const report = await client.close({ timeoutMs: 170_000 });

    // A worker that ran out of heap would be restarted (each crash retries every request in
    // flight) and, after three, replaced by delivery on the app's thread, said through onError.
    expect(errors.map((error) => error.code)).toEqual([]);
    expect(report).toMatchObject({ delivered: EVENTS, retried: 0, complete: true });
    expect(copiesById(fake.events).size).toBe(EVENTS);
    expect(fake.events).toHaveLength(EVENTS);
    expect(identityHolds(client.stats())).toBe(true);
  }, 180_000);

  it('a configuration whose requests in flight cannot fit in the heap is a ConfigError', () => {
    let thrown: unknown;
    try {
      createEventClient({
        url: 'https://auth.example.com',
        token: 'worker-heap-token',
        app: 'worker-heap',
        concurrency: 256,
        maxEventBytes: 64 * 2 ** 20,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).option).toBe('maxEventBytes');
    expect((thrown as ConfigError).message).toContain('lower maxEventBytes or concurrency');
  });

  it('the same for the adaptive limit: the heap is sized for maxConcurrency, and the error says so', () => {
    const options = {
      url: 'https://auth.example.com',
      token: 'worker-heap-token',
      app: 'worker-heap',
      maxEventBytes: 64 * 2 ** 20,
    };
    let thrown: unknown;
    try {
      createEventClient({ ...options, maxConcurrency: 256 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toContain('is too large for maxConcurrency 256');
    expect((thrown as ConfigError).message).toContain('lower maxEventBytes or maxConcurrency');
    // The defaults (up to 32 in flight, 64 KiB events) are accepted.
    const client = createEventClient({ ...options, maxEventBytes: undefined });
    expect(client.stats().concurrencyLimit).toBe(4);
    void client.close({ timeoutMs: 0 });
  });
});
