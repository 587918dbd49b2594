import { createEventClient, DeliveryError } from '@authentik-events/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, eventPosts, expectAccounting, FAST, startFake, track } from './helpers.js';

// Answers that will not change on a retry: the event is dropped at once, with the reason.
describe('400: rejected with the server message', () => {
  it('drops only the event the server refuses, as `rejected`, with its message', async () => {
    const fake = await startFake();
    fake.faults.failWhen((body) => (body.context?.refuse ? 400 : undefined));
    const { client, errors, drops } = connect(fake);
    for (let i = 0; i < 6; i++)
      client.emit({ action: 'custom_step', context: { i, refuse: i === 3 } });
    await client.flush();

    expect(client.stats()).toMatchObject({
      emitted: 6,
      delivered: 5,
      retried: 0,
      dropped: { rejected: 1 },
    });
    expect(fake.events.map((e) => e.context.i).sort()).toEqual([0, 1, 2, 4, 5]);
    expect(eventPosts(fake).filter((r) => r.status === 400)).toHaveLength(1);
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({
      reason: 'rejected',
      status: 400,
      count: 1,
      code: 'ERR_AUTHENTIK_EVENTS_REJECTED',
    });
    expect(error?.message).toContain('{"detail":"Injected failure (HTTP 400)"}');
    expect(drops).toHaveLength(1);
    expect(drops[0]?.reason).toBe('rejected');
    expect(drops[0]?.events.map((e) => e.input.context?.i)).toEqual([3]);
    expectAccounting(client.stats());
  });

  it("carries a field error body from the server into the error's message", async () => {
    const fake = await startFake();
    const body = JSON.stringify({ action: ['"custom_x" is not a valid choice.'] });
    fake.faults.failNext(1, 400, { body });
    const { client, errors } = connect(fake);
    client.emit({ action: 'login' });
    await client.flush();

    expect(client.stats().dropped.rejected).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe(`authentik rejected the event (400 ${body})`);
    expectAccounting(client.stats());
  });
});

describe('403: unauthorized, with what to check', () => {
  const EVENTS = 20;

  for (const state of ['expired', 'no_permission'] as const) {
    const detail = {
      expired: 'Token invalid/expired',
      no_permission: 'You do not have permission to perform this action.',
    }[state];

    it(`drops every event of a ${state} token as \`unauthorized\`, one request each, no retries`, async () => {
      const badToken = `${state}-token-0123456789`;
      const fake = await startFake({ tokens: { [badToken]: state } });
      const { client, errors, drops } = connect(fake, { token: badToken });
      for (let i = 0; i < EVENTS; i++) client.emit({ action: 'custom_step', context: { i } });
      await client.flush();

      expect(client.stats()).toMatchObject({
        emitted: EVENTS,
        delivered: 0,
        retried: 0,
        dropped: { unauthorized: EVENTS },
      });
      expect(fake.events).toHaveLength(0);
      expect(eventPosts(fake).map((r) => r.status)).toEqual(Array(EVENTS).fill(403));
      // A wrong token fails every event the same way: onError hears it once per episode (every
      // loss still reaches onDrop, below). Without onError, see the warning test below.
      expect(errors).toHaveLength(1);
      for (const error of errors) {
        expect(error).toMatchObject({ reason: 'unauthorized', status: 403, count: 1 });
        expect(error.message).toContain(`403 {"detail":"${detail}"}`);
        expect(error.message).toContain('not expired');
        expect(error.message).toContain('an API token');
        expect(error.message).toContain('authentik_events.add_event');
        expect(error.message).not.toContain(badToken);
      }
      expect(drops.flatMap((d) => d.events)).toHaveLength(EVENTS);
      expect(drops.every((d) => d.reason === 'unauthorized')).toBe(true);
      expectAccounting(client.stats());
    });
  }

  describe('without onError', () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    beforeEach(() => {
      warnings.length = 0;
      process.on('warning', onWarning);
    });
    afterEach(() => {
      process.off('warning', onWarning);
    });

    it('warns once per episode, not once per event', async () => {
      const badToken = 'expired-token-0123456789';
      const fake = await startFake({ tokens: { [badToken]: 'expired' } });
      const client = track(createEventClient({ url: fake.url, token: badToken, ...FAST }));
      for (let i = 0; i < EVENTS; i++) client.emit({ action: 'custom_step', context: { i } });
      await client.flush();
      // process.emitWarning delivers on the next tick.
      await new Promise((resolve) => setImmediate(resolve));

      expect(client.stats().dropped.unauthorized).toBe(EVENTS);
      const ours = warnings.filter((w) => w.name === 'AuthentikEventsWarning');
      expect(ours).toHaveLength(1);
      expect(ours[0]).toMatchObject({ code: 'ERR_AUTHENTIK_EVENTS_UNAUTHORIZED' });
      expect(ours[0]?.message).toContain('authentik_events.add_event');
      expect(ours[0]?.message).not.toContain(badToken);
      expectAccounting(client.stats());
    });
  });
});
