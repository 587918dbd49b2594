import { describe, expect, it } from 'vitest';
import {
  connect,
  eventPosts,
  expectAccounting,
  startFake,
  storedIds,
  waitUntil,
} from './helpers.js';

describe('a server slower than requestTimeoutMs', () => {
  it('retries the timeouts and delivers every event once the server is fast again', async () => {
    const fake = await startFake();
    fake.faults.latency(300);
    const { client, errors } = connect(fake, { requestTimeoutMs: 100 });
    for (let i = 0; i < 5; i++) client.emit({ action: 'custom_step', context: { i } });
    // Every attempt times out while the latency lasts; let a good number of them happen.
    await waitUntil(() => client.stats().retried >= 8, 'eight retried timeouts');
    expect(client.stats()).toMatchObject({ delivered: 0, dropped: { retries_exhausted: 0 } });
    expectAccounting(client.stats());

    fake.faults.latency(0);
    const report = await client.flush();
    expect(report.complete).toBe(true);
    const stats = client.stats();
    expect(stats).toMatchObject({ emitted: 5, delivered: 5, queued: 0, inFlight: 0 });
    expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
    // Each event succeeded once; every other request the fake received was a retried attempt.
    expect(eventPosts(fake)).toHaveLength(stats.delivered + stats.retried);
    // A slow server still stores what it finally reads, so duplicates are allowed; losses are not.
    expect(new Set(fake.events.map((e) => e.context.i))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(new Set(storedIds(fake)).size).toBe(5);
    expect(errors).toEqual([]);
    expectAccounting(stats);
  });
});
