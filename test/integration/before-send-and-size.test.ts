import { describe, expect, it } from 'vitest';
import { connect, eventPosts, expectAccounting, NO_DROPS, startFake } from './helpers.js';

const MARKER = '…[truncated]';

describe('beforeSend', () => {
  it('drops what it rejects as `filtered` and sends what it changes', async () => {
    const fake = await startFake();
    const { client, drops } = connect(fake, {
      beforeSend: (event) =>
        event.context.internal ? null : { ...event, context: { ...event.context, stage: 'test' } },
    });
    for (let i = 0; i < 6; i++)
      client.emit({ action: 'custom_step', context: { i, internal: i % 3 === 0 } });
    await client.flush();

    expect(client.stats()).toMatchObject({ emitted: 6, delivered: 4, dropped: { filtered: 2 } });
    // Filtered events never leave the process.
    expect(eventPosts(fake)).toHaveLength(4);
    expect(fake.events.map((e) => e.context.i).sort()).toEqual([1, 2, 4, 5]);
    expect(fake.events.every((e) => e.context.stage === 'test')).toBe(true);
    expect(drops.map((d) => [d.reason, d.events.map((e) => e.input.context?.i)])).toEqual([
      ['filtered', [0]],
      ['filtered', [3]],
    ]);
    expectAccounting(client.stats());
  });
});

describe('maxEventBytes', () => {
  const maxEventBytes = 2048;

  it('cuts the longest context strings so the event fits, and keeps the rest', async () => {
    const fake = await startFake();
    const { client, errors } = connect(fake, { maxEventBytes });
    client.emit({
      action: 'custom_upload',
      context: { body: 'a'.repeat(10_000), note: 'keep me' },
    });
    await client.flush();

    expect(client.stats()).toMatchObject({ delivered: 1, dropped: { too_large: 0 } });
    const [request] = eventPosts(fake);
    const size = Buffer.byteLength(request?.body ?? '');
    expect(size).toBeLessThanOrEqual(maxEventBytes);
    // Cut just enough: within a marker's length of the limit.
    expect(size).toBeGreaterThan(maxEventBytes - Buffer.byteLength(MARKER));
    const stored = fake.events[0]?.context;
    expect(stored?.note).toBe('keep me');
    expect(stored?.body).toMatch(/^a+…\[truncated\]$/);
    expect(errors).toEqual([]);
    expectAccounting(client.stats());
  });

  it('keeps an event too large even with its strings cut: entries go, with a marker, never the event', async () => {
    const fake = await startFake();
    const { client, errors, drops } = connect(fake, { maxEventBytes });
    // Strings of 60 characters are too short to be cut; 60 of them exceed 2 KiB.
    const context = Object.fromEntries(
      [...Array(60).keys()].map((i) => [`field_${i}`, 'b'.repeat(60)]),
    );
    client.emit({ action: 'custom_export', context });
    client.emit({ action: 'custom_small', context: { ok: true } });
    await client.flush();

    expect(client.stats()).toMatchObject({ emitted: 2, delivered: 2, dropped: NO_DROPS });
    const exported = fake.events.find((event) => event.context.custom_action === 'export');
    expect(exported?.context['…']).toMatch(/^\[Truncated: \d+ entries, \d+ bytes\]$/);
    expect(eventPosts(fake).every((post) => Buffer.byteLength(post.body) <= maxEventBytes)).toBe(
      true,
    );
    expect(errors).toEqual([]);
    expect(drops).toEqual([]);
    expectAccounting(client.stats());
  });
});
