import { describe, expect, it } from 'vitest';
import {
  connect,
  eventPosts,
  expectAccounting,
  NO_DROPS,
  startFake,
  storedIds,
  waitUntil,
} from './helpers.js';

// The statuses a struggling server or its proxy answers: retried, and nothing lost.
describe('503s and 429 with Retry-After', () => {
  it('retries three 503s and then delivers everything', async () => {
    const fake = await startFake();
    fake.faults.failNext(3, 503);
    const { client, errors } = connect(fake);
    for (let i = 0; i < 10; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.flush();

    expect(report).toMatchObject({ delivered: 10, retried: 3, pending: 0, complete: true });
    expect(client.stats()).toMatchObject({
      emitted: 10,
      delivered: 10,
      retried: 3,
      dropped: NO_DROPS,
    });
    expect(
      eventPosts(fake)
        .map((r) => r.status)
        .filter((s) => s === 503),
    ).toHaveLength(3);
    expect(eventPosts(fake)).toHaveLength(13);
    // A 503 means nothing was stored, so a retry makes no duplicate.
    expect(new Set(storedIds(fake)).size).toBe(10);
    expect(fake.events).toHaveLength(10);
    expect(errors).toEqual([]);
    expectAccounting(client.stats());
  });

  it('pauses the whole sender for Retry-After: 1 without using up a retry', async () => {
    const fake = await startFake();
    fake.faults.failNext(1, 429, { retryAfter: 1 });
    // No retries at all: the event still gets through, because a pause is not a retry.
    const { client, errors } = connect(fake, {
      retry: { retries: 0, minDelayMs: 10, maxDelayMs: 200 },
    });
    client.emit({ action: 'custom_first' });
    // `retried` counts the second attempt's start: by then the 429 was read and the pause set.
    await waitUntil(() => client.stats().retried === 1, 'the retry after the 429');
    // Events emitted during the pause must wait for it too: the pause is the sender's.
    for (let i = 0; i < 9; i++) client.emit({ action: 'custom_during_pause', context: { i } });
    const report = await client.flush();

    expect(report.complete).toBe(true);
    expect(client.stats()).toMatchObject({
      emitted: 10,
      delivered: 10,
      retried: 1,
      dropped: NO_DROPS,
    });
    expect(fake.events).toHaveLength(10);
    const posts = eventPosts(fake);
    expect(posts).toHaveLength(11);
    const [limited, ...after] = posts;
    expect(limited?.status).toBe(429);
    // No request reached the fake during the second the server asked for (a few ms of clock
    // granularity allowed: the pause starts when the client reads the answer, after receivedAt).
    const pauseEnd = (limited?.receivedAt ?? 0) + 1000;
    const early = after.filter((r) => r.receivedAt < pauseEnd - 5);
    expect(early).toEqual([]);
    expect(after.every((r) => r.status === 201)).toBe(true);
    expect(errors).toEqual([]);
    expectAccounting(client.stats());
  });
});
