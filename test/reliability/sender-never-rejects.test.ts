import { type AuthentikEventsError, createEventClient } from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identityHolds } from './support/accounting.js';
import { failOnUnhandledRejections } from './support/unhandled.js';

// Every step after emit() settles the event: whatever throws while it is prepared or sent ends
// it as dropped with a reason, and no loop of the sender ever becomes an unhandled rejection.

let fake: FakeAuthentik;
failOnUnhandledRejections();
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

function connect(options: Parameters<typeof createEventClient>[0] = {}) {
  const errors: AuthentikEventsError[] = [];
  const client = createEventClient({
    url: fake.url,
    token: fake.token,
    app: 'settles',
    flushIntervalMs: 10,
    onError: (error) => errors.push(error),
    ...options,
  });
  return { client, errors };
}

describe('an accepted event always settles: preparing or sending it can never reject the sender', () => {
  it('a context whose serialisation would exceed the largest string (one big string, many keys) settles', async () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    // 2.4 G characters once serialised; the references sit behind enough small values to use
    // up any node budget of the size estimate.
    const context = { refs: new Array(300).fill(big), filler: new Array(5000).fill(0) };
    const { client } = connect();
    const accepted = client.emit({ action: 'custom_many_refs', context });
    client.emit({ action: 'custom_after', context: { ok: true } });
    const report = await client.close({ timeoutMs: 20_000 });
    const stats = client.stats();
    expect(report.complete).toBe(true);
    expect(stats.inFlight + stats.queued).toBe(0);
    expect(identityHolds(stats)).toBe(true);
    // The next event is not held up by the first.
    expect(fake.events.some((event) => event.context.custom_action === 'after')).toBe(true);
    if (accepted) expect(stats.delivered + stats.dropped.too_large + stats.dropped.invalid).toBe(2);
  });

  it('a beforeSend that throws something unprintable settles the event as invalid', async () => {
    const unprintable = {
      toString() {
        throw new Error('no');
      },
    };
    const { client, errors } = connect({
      beforeSend: () => {
        throw unprintable;
      },
    });
    client.emit({ action: 'custom_step' });
    await client.close({ timeoutMs: 5000 });
    const stats = client.stats();
    expect(stats.dropped.invalid).toBe(1);
    expect(identityHolds(stats)).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('an onDrop and an onError that throw unprintable values do not reject anything', async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    const { client } = connect({
      maxQueueSize: 1,
      onDrop: () => {
        throw hostile;
      },
      onError: () => {
        throw hostile;
      },
    });
    for (let i = 0; i < 5; i++) client.emit({ action: 'custom_step', context: { i } });
    await client.close({ timeoutMs: 5000 });
    expect(identityHolds(client.stats())).toBe(true);
  });
});
