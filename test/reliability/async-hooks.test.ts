import { type AuthentikEventsError, createEventClient } from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identityHolds } from './support/accounting.js';
import { failOnUnhandledRejections } from './support/unhandled.js';

// An `async` hook that throws returns a rejected Promise. Nobody awaits it; under Node's default
// an unhandled rejection ends the process. The client must absorb it, as it does a throw.

let fake: FakeAuthentik;
failOnUnhandledRejections();
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

const boom = async (): Promise<never> => {
  throw new Error('async hook failed');
};

describe('async hooks: a hook that returns a rejected Promise never becomes an unhandled rejection', () => {
  it('onError', async () => {
    const client = createEventClient({ url: fake.url, token: fake.token, app: 'a', onError: boom });
    client.emit({ action: 'not_an_action' as never });
    await client.close({ timeoutMs: 2000 });
    expect(client.stats().dropped.invalid).toBe(1);
  });

  it('onDrop: reported through onError as a CallbackError', async () => {
    const errors: AuthentikEventsError[] = [];
    const client = createEventClient({
      url: fake.url,
      token: fake.token,
      app: 'a',
      onDrop: boom,
      onError: (error) => errors.push(error),
    });
    client.emit({ action: 'not_an_action' as never });
    await client.close({ timeoutMs: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors.map((error) => error.message)).toContain(
      'onDrop: rejected: Error: async hook failed',
    );
  });

  it('beforeSend: the event is refused as invalid, the rejection absorbed', async () => {
    const errors: AuthentikEventsError[] = [];
    const client = createEventClient({
      url: fake.url,
      token: fake.token,
      app: 'a',
      flushIntervalMs: 10,
      beforeSend: boom as never,
      onError: (error) => errors.push(error),
    });
    client.emit({ action: 'custom_step' });
    await client.close({ timeoutMs: 5000 });
    const stats = client.stats();
    expect(stats.dropped.invalid).toBe(1);
    expect(identityHolds(stats)).toBe(true);
    expect(errors.some((error) => error.code === 'ERR_AUTHENTIK_EVENTS_INVALID')).toBe(true);
  });
});
