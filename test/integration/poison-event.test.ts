import { DeliveryError } from '@authentik-events/core';
import { describe, expect, it } from 'vitest';
import { connect, eventPosts, expectAccounting, startFake } from './helpers.js';

// One event the server always fails with a 500 must not block or take the others with it.
describe('a poison event', () => {
  it('ends as retries_exhausted after its retries; the others are delivered', async () => {
    const fake = await startFake();
    fake.faults.failWhen((body) => (body.context?.poison ? 500 : undefined));
    const { client, errors, drops } = connect(fake, {
      retry: { retries: 3, minDelayMs: 10, maxDelayMs: 50 },
    });
    for (let i = 0; i < 10; i++)
      client.emit({ action: 'custom_step', context: { i, poison: i === 4 } });
    const report = await client.flush();

    expect(report.complete).toBe(true);
    expect(client.stats()).toMatchObject({
      emitted: 10,
      delivered: 9,
      retried: 3,
      dropped: { retries_exhausted: 1 },
    });
    expect(fake.events.map((e) => e.context.i).sort()).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    // The first attempt and three retries, all refused.
    const poisoned = eventPosts(fake).filter((r) => JSON.parse(r.body).context.poison === true);
    expect(poisoned.map((r) => r.status)).toEqual([500, 500, 500, 500]);

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeliveryError);
    expect(errors[0]).toMatchObject({ reason: 'retries_exhausted', status: 500, count: 1 });
    expect(errors[0]?.message).toContain('gave up after 3 retries');
    expect(drops.map((d) => [d.reason, d.events.map((e) => e.input.context?.i)])).toEqual([
      ['retries_exhausted', [4]],
    ]);
    expectAccounting(client.stats());
  });
});
