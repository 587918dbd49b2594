import { describe, expect, it } from 'vitest';
import { connect, expectAccounting, startFake } from './helpers.js';

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
