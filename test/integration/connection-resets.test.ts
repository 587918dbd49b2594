import { describe, expect, it } from 'vitest';
import { connect, eventPosts, expectAccounting, startFake, storedIds } from './helpers.js';

/** How many times each value occurs. */
function counts(values: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const value of values) out.set(value, (out.get(value) ?? 0) + 1);
  return out;
}

// A reset before the server read the event loses nothing and duplicates nothing; a reset after
// it stored the event makes the retry a duplicate, which `context.event_id` gives away.
describe('connection resets', () => {
  it('before the body: every event stored exactly once', async () => {
    const fake = await startFake();
    fake.faults.resetNext(2);
    const { client, errors } = connect(fake);
    for (let i = 0; i < 10; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.flush();

    expect(report).toMatchObject({ delivered: 10, retried: 2, complete: true });
    expect(fake.events).toHaveLength(10);
    expect(new Set(storedIds(fake)).size).toBe(10);
    const statuses = eventPosts(fake).map((r) => r.status);
    expect(statuses.filter((s) => s === 0)).toHaveLength(2);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(errors).toEqual([]);
    expectAccounting(client.stats());
  });

  it('after the body: every event stored, the two retried ones twice with the same event_id', async () => {
    const fake = await startFake();
    fake.faults.resetNext(2, { afterBody: true });
    const { client, errors } = connect(fake);
    for (let i = 0; i < 10; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.flush();

    expect(report).toMatchObject({ delivered: 10, retried: 2, complete: true });
    expect(fake.events).toHaveLength(12);
    const occurrences = counts(storedIds(fake));
    expect(occurrences.size).toBe(10);
    const duplicated = [...occurrences].filter(([, n]) => n > 1);
    expect(duplicated.map(([, n]) => n)).toEqual([2, 2]);
    // The duplicates are exactly the events whose first request was cut off after storing.
    const resetIds = eventPosts(fake)
      .filter((r) => r.status === 0)
      .map((r) => JSON.parse(r.body).context.event_id as string);
    expect(new Set(resetIds)).toEqual(new Set(duplicated.map(([id]) => id)));
    // Same event, same body: the retry resends what was stored, not a rebuilt event.
    for (const [id] of duplicated) {
      const [first, second] = fake.events.filter((e) => e.context.event_id === id);
      expect(second?.context).toEqual(first?.context);
    }
    expect(errors).toEqual([]);
    expectAccounting(client.stats());
  });
});
