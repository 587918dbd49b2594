import { describe, expect, it } from 'vitest';
import { startConnectionCounter } from './connection-counter.js';
import { connect, expectAccounting, onCleanup, sleep, startFake } from './helpers.js';

// "Batching" means: wait for batchSize events or flushIntervalMs, then send over a small pool
// of keep-alive connections with at most `concurrency` requests in flight.
describe('batching, concurrency and keep-alive', () => {
  it('holds events until batchSize is reached when the interval is long', async () => {
    const fake = await startFake();
    const { client } = connect(fake, { batchSize: 5, flushIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) client.emit({ action: 'custom_step', context: { i } });
    // Nothing may go out before the fifth event; 300 ms is many event-loop turns.
    await sleep(300);
    expect(fake.requestCount).toBe(0);
    expect(client.stats()).toMatchObject({ queued: 4, inFlight: 0, delivered: 0 });

    client.emit({ action: 'custom_step', context: { i: 4 } });
    await fake.waitForEvents(5);
    expect(fake.events.map((e) => e.context.i).sort()).toEqual([0, 1, 2, 3, 4]);
    await client.flush();
    expect(client.stats()).toMatchObject({ emitted: 5, delivered: 5, queued: 0 });
    expectAccounting(client.stats());
  });

  it('sends a partial batch on flush()', async () => {
    const fake = await startFake();
    const { client } = connect(fake, { batchSize: 5, flushIntervalMs: 60_000 });
    for (let i = 0; i < 4; i++) client.emit({ action: 'custom_step', context: { i } });
    await sleep(100);
    expect(fake.requestCount).toBe(0);
    const report = await client.flush();
    expect(report).toMatchObject({ delivered: 4, pending: 0, complete: true, retried: 0 });
    expect(fake.events).toHaveLength(4);
    expectAccounting(client.stats());
  });

  it('sends a partial batch by itself once flushIntervalMs has passed', async () => {
    const fake = await startFake();
    const { client } = connect(fake, { batchSize: 50, flushIntervalMs: 20 });
    for (let i = 0; i < 3; i++) client.emit({ action: 'custom_step', context: { i } });
    // No flush(): the interval timer alone must send them.
    await fake.waitForEvents(3);
    await client.flush();
    expect(client.stats()).toMatchObject({ emitted: 3, delivered: 3 });
    expectAccounting(client.stats());
  });

  it('keeps at most `concurrency` requests in flight, and uses all of them', async () => {
    const fake = await startFake();
    fake.faults.latency(50);
    const { client } = connect(fake, { concurrency: 3 });
    for (let i = 0; i < 30; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.flush();
    expect(report.delivered).toBe(30);
    expect(fake.maxConcurrent).toBe(3);
    expectAccounting(client.stats());
  });

  it('sends a small batch all at once: one request in flight per event, up to `concurrency`', async () => {
    const fake = await startFake();
    fake.faults.latency(200);
    const { client } = connect(fake, { concurrency: 4 });
    for (let i = 0; i < 4; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.flush();
    expect(report.delivered).toBe(4);
    expect(fake.maxConcurrent).toBe(4);
    expectAccounting(client.stats());
  });

  it('reuses keep-alive connections: 300 events over at most `concurrency` TCP connections', async () => {
    const fake = await startFake();
    const relay = await startConnectionCounter(fake.url);
    onCleanup(() => relay.close());
    const { client } = connect(fake, { url: relay.url, concurrency: 2 });
    for (let i = 0; i < 300; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.flush();
    expect(report.delivered).toBe(300);
    expect(fake.events).toHaveLength(300);
    expect(relay.connections).toBeGreaterThanOrEqual(1);
    expect(relay.connections).toBeLessThanOrEqual(2);
    expectAccounting(client.stats());
  });
});
