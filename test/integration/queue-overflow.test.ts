import {
  type AuthentikEventsError,
  type ClientOptions,
  createEventClient,
} from '@authentik-events/core';
import { describe, expect, it } from 'vitest';
import { connect, expectAccounting, FAST, startFake, track } from './helpers.js';

/** Emits `count` numbered events in one synchronous loop; returns how many were accepted. */
function emitMany(client: ReturnType<typeof connect>['client'], count: number, from = 0): number {
  let accepted = 0;
  for (let n = from; n < from + count; n++) {
    if (client.emit({ action: 'custom_step', context: { n, pad: 'x'.repeat(200) } })) accepted++;
  }
  return accepted;
}

// Emitting in one synchronous loop gives the sender no turn of the event loop to take events,
// so the queue bound alone decides; the server is down so nothing is delivered meanwhile.
describe('queue overflow, counted exactly', () => {
  it('drop-newest: 250 events into 100 places refuses the last 150', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, errors, drops } = connect(fake, { maxQueueSize: 100 });

    expect(emitMany(client, 250)).toBe(100);
    expect(client.stats()).toMatchObject({
      emitted: 250,
      queued: 100,
      dropped: { queue_full: 150 },
    });
    expectAccounting(client.stats());
    const dropped = drops.flatMap((d) => d.events);
    expect(dropped.map((e) => e.input.context?.n)).toEqual(
      [...Array(150).keys()].map((i) => i + 100),
    );
    expect(drops.every((d) => d.reason === 'queue_full' && d.events.length > 0)).toBe(true);
    // One warning for the episode, not one per event.
    expect(errors.map((e) => e.code)).toEqual(['ERR_AUTHENTIK_EVENTS_QUEUE_FULL']);

    await fake.faults.up();
    await client.flush();
    expect(client.stats()).toMatchObject({ delivered: 100, dropped: { queue_full: 150 } });
    expect(fake.events.map((e) => e.context.n).sort((a, b) => Number(a) - Number(b))).toEqual([
      ...Array(100).keys(),
    ]);
    expectAccounting(client.stats());
  });

  it('drop-oldest: the 100 newest of 250 survive and are delivered', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, errors, drops } = connect(fake, { maxQueueSize: 100, overflow: 'drop-oldest' });

    // Every emit is accepted; older events make room.
    expect(emitMany(client, 250)).toBe(250);
    expect(client.stats()).toMatchObject({
      emitted: 250,
      queued: 100,
      dropped: { queue_full: 150 },
    });
    expectAccounting(client.stats());
    expect(drops.flatMap((d) => d.events).map((e) => e.input.context?.n)).toEqual([
      ...Array(150).keys(),
    ]);
    expect(drops.every((d) => d.reason === 'queue_full' && d.events.length > 0)).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['ERR_AUTHENTIK_EVENTS_QUEUE_FULL']);

    await fake.faults.up();
    await client.flush();
    expect(client.stats()).toMatchObject({ delivered: 100, dropped: { queue_full: 150 } });
    expect(fake.events.map((e) => e.context.n).sort((a, b) => Number(a) - Number(b))).toEqual(
      [...Array(100).keys()].map((i) => i + 150),
    );
    expectAccounting(client.stats());
  });

  it('maxQueueBytes bounds the queue the same way', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const maxQueueBytes = 20_000;
    const { client } = connect(fake, { maxQueueBytes });

    // The queue's own estimate of one event (all events here have the same shape and size).
    emitMany(client, 1);
    const perEvent = client.stats().queuedBytes;
    expect(perEvent).toBeGreaterThan(200);
    const capacity = Math.floor(maxQueueBytes / perEvent);
    expect(capacity).toBeGreaterThan(1);
    expect(capacity).toBeLessThan(100);

    expect(emitMany(client, 99, 1)).toBe(capacity - 1);
    expect(client.stats()).toMatchObject({
      emitted: 100,
      queued: capacity,
      queuedBytes: capacity * perEvent,
      dropped: { queue_full: 100 - capacity },
    });
    expectAccounting(client.stats());

    await fake.faults.up();
    await client.flush();
    expect(client.stats()).toMatchObject({ delivered: capacity, queued: 0, queuedBytes: 0 });
    expect(fake.events.map((e) => e.context.n).sort((a, b) => Number(a) - Number(b))).toEqual([
      ...Array(capacity).keys(),
    ]);
    expectAccounting(client.stats());
  });
});

// Without an onDrop hook nobody needs a refused event's content, so a full queue refuses it
// before the snapshot (and adapters ask shedIfFull() before building a request's event).
describe('shedding while the queue is full, without onDrop', () => {
  function quietClient(fake: Awaited<ReturnType<typeof startFake>>, options: ClientOptions) {
    const errors: AuthentikEventsError[] = [];
    const client = track(
      createEventClient({
        url: fake.url,
        token: fake.token,
        ...FAST,
        ...options,
        onError: (error) => errors.push(error),
      }),
    );
    return { client, errors };
  }

  it('refuses and counts exactly, warns once, and delivers what was queued', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, errors } = quietClient(fake, { maxQueueSize: 100 });

    let accepted = 0;
    for (let n = 0; n < 250; n++)
      if (client.emit({ action: 'custom_step', context: { n } })) accepted++;
    expect(accepted).toBe(100);
    expect(client.stats()).toMatchObject({
      emitted: 250,
      queued: 100,
      dropped: { queue_full: 150 },
    });
    expectAccounting(client.stats());
    expect(errors.map((e) => e.code)).toEqual(['ERR_AUTHENTIK_EVENTS_QUEUE_FULL']);

    await fake.faults.up();
    await client.flush();
    expect(fake.events.map((e) => Number(e.context.n)).sort((a, b) => a - b)).toEqual([
      ...Array(100).keys(),
    ]);
  });

  it('an invalid event is still refused as invalid, not as queue_full', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client } = quietClient(fake, { maxQueueSize: 1 });
    expect(client.emit({ action: 'custom_step' })).toBe(true);
    expect(client.emit({ action: 'not-an-action' as 'custom_x' })).toBe(false);
    expect(client.emit({ action: 'custom_step' })).toBe(false);
    expect(client.stats().dropped).toMatchObject({ invalid: 1, queue_full: 1 });
  });

  it('shedIfFull() sheds only when any event would be refused and nobody needs its content', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client } = quietClient(fake, { maxQueueSize: 2 });
    expect(client.shedIfFull()).toBe(false); // room: the event is built and emitted
    client.emit({ action: 'custom_step' });
    client.emit({ action: 'custom_step' });
    expect(client.shedIfFull()).toBe(true);
    expect(client.shedIfFull()).toBe(true);
    expect(client.stats()).toMatchObject({ emitted: 4, queued: 2, dropped: { queue_full: 2 } });
    expectAccounting(client.stats());

    // With an onDrop hook the event must be built (the hook gets its content).
    const withHook = connect(fake, { maxQueueSize: 1 });
    withHook.client.emit({ action: 'custom_step' });
    expect(withHook.client.shedIfFull()).toBe(false);
    // drop-oldest never refuses a new request log while an older one can go: it evicts it.
    const oldest = quietClient(fake, { maxQueueSize: 1, overflow: 'drop-oldest' }).client;
    oldest.emit({ action: 'custom_step', eventClass: 'request_log' });
    expect(oldest.shedIfFull()).toBe(false);
    // But never an audit event for a request log: with only audit events queued, it is shed.
    const auditOnly = quietClient(fake, { maxQueueSize: 1, overflow: 'drop-oldest' }).client;
    auditOnly.emit({ action: 'custom_step' });
    expect(auditOnly.shedIfFull()).toBe(true);
    expect(auditOnly.stats().byClass.request_log.dropped.queue_full).toBe(1);
    // A closed client refuses as closed, through emit.
    await client.close({ timeoutMs: 100 });
    expect(client.shedIfFull()).toBe(false);
  });

  it('sheds when the byte bound leaves no room for even the smallest event', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client } = quietClient(fake, { maxQueueBytes: 4096 });
    let accepted = 0;
    for (let n = 0; n < 50; n++)
      if (client.emit({ action: 'custom_step', context: { pad: 'x'.repeat(600) } })) accepted++;
    const { queuedBytes } = client.stats();
    expect(queuedBytes).toBeLessThanOrEqual(4096);
    expect(client.stats().dropped.queue_full).toBe(50 - accepted);
    // An event smaller than what is left still fits while there is room for one.
    const roomForSmallest = 4096 - queuedBytes >= 256;
    expect(client.shedIfFull()).toBe(!roomForSmallest);
  });
});
