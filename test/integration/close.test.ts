import { DeliveryError } from '@authentik-events/core';
import { describe, expect, it } from 'vitest';
import { connect, expectAccounting, NO_DROPS, startFake } from './helpers.js';

// close() must never hang: at the deadline it aborts what is in flight and says what was left.
describe('close() with a dead server', () => {
  it('returns at its deadline with every event counted as closed, and is idempotent', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, errors } = connect(fake);
    for (let i = 0; i < 10; i++) client.emit({ action: 'custom_step', context: { i } });
    // Let the sender take some events, so that both queued and in-flight ones are cut short.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.stats().inFlight).toBeGreaterThan(0);

    const startedAt = Date.now();
    const closing = client.close({ timeoutMs: 1000 });
    // Idempotent: the same promise, whatever the second call asks for.
    expect(client.close({ timeoutMs: 60_000 })).toBe(closing);
    expect(client.closed).toBe(true);
    const report = await closing;
    const elapsed = Date.now() - startedAt;

    // A correctness bound (it returned, near its deadline), not a speed claim.
    expect(elapsed).toBeLessThan(3000);
    expect(report).toMatchObject({
      delivered: 0,
      pending: 0,
      complete: false,
      dropped: { ...NO_DROPS, closed: 10 },
    });
    expect(client.stats()).toMatchObject({ emitted: 10, queued: 0, inFlight: 0, delivered: 0 });
    expect(await client.close()).toBe(report);

    // Each loss was reported: one error per in-flight event, one for the rest of the queue.
    const closedErrors = errors.filter((e): e is DeliveryError => e instanceof DeliveryError);
    // Besides: the refused connection, reported at once (once) with what to check.
    expect(errors.filter((e) => !(e instanceof DeliveryError)).map((e) => e.code)).toEqual([
      'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED',
    ]);
    expect(closedErrors.every((e) => e.reason === 'closed')).toBe(true);
    expect(closedErrors.reduce((sum, e) => sum + e.count, 0)).toBe(10);
    expectAccounting(client.stats());

    // After close: refused, counted, never thrown.
    expect(client.emit({ action: 'login' })).toBe(false);
    expect(client.stats()).toMatchObject({ emitted: 11, dropped: { closed: 11 } });
    expectAccounting(client.stats());
  });

  it('with a live server, delivers everything and reports a complete close', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    for (let i = 0; i < 10; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.close({ timeoutMs: 5000 });
    expect(report).toMatchObject({
      delivered: 10,
      pending: 0,
      complete: true,
      dropped: { closed: 0 },
    });
    expect(fake.events).toHaveLength(10);
    expectAccounting(client.stats());
  });
});
