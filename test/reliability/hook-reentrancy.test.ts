import {
  type AuthentikEventsError,
  type ClientStats,
  createEventClient,
  type EventClient,
} from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { identityHolds } from './support/accounting.js';

// Hooks run inside the client's own bookkeeping. A hook that calls back into the client (emit,
// stats, flush, close) must neither recurse without end nor see counters that are half updated.

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

const FAST = { flushIntervalMs: 10, retry: { minDelayMs: 10, maxDelayMs: 50 } };

function connect(options: Parameters<typeof createEventClient>[0]): EventClient {
  return createEventClient({ url: fake.url, token: fake.token, app: 'hooks', ...FAST, ...options });
}

describe('re-entrant hooks: a refusal caused inside a hook is counted, never reported into the same hook again', () => {
  it('onDrop that emits into a full queue returns, and the refusals are counted', async () => {
    let client: EventClient | undefined;
    let onDropCalls = 0;
    client = connect({
      maxQueueSize: 2,
      onDrop: () => {
        onDropCalls++;
        client?.emit({ action: 'custom_from_on_drop' });
      },
      onError: () => undefined,
    });
    for (let i = 0; i < 5; i++) client.emit({ action: 'custom_fill', context: { i } });
    const stats = client.stats();
    // 2 queued; 3 refused by the app, each reported once, each of whose hook emits was refused
    // in turn (counted, not reported into onDrop again).
    expect(onDropCalls).toBe(3);
    expect(stats.emitted).toBe(8);
    expect(stats.dropped.queue_full).toBe(6);
    expect(identityHolds(stats)).toBe(true);
    await client.close({ timeoutMs: 2000 });
  });

  it('onDrop that emits at close() lets close() return', async () => {
    let client: EventClient | undefined;
    await fake.faults.down();
    let onDropCalls = 0;
    client = connect({
      onDrop: () => {
        onDropCalls++;
        client?.emit({ action: 'custom_from_on_drop' });
      },
      onError: () => undefined,
    });
    for (let i = 0; i < 3; i++) client.emit({ action: 'custom_step', context: { i } });
    const report = await client.close({ timeoutMs: 200 });
    const stats = client.stats();
    expect(report.complete).toBe(false);
    expect(onDropCalls).toBeGreaterThan(0);
    expect(onDropCalls).toBeLessThan(10);
    expect(identityHolds(stats)).toBe(true);
    expect(stats.queued + stats.inFlight).toBe(0);
    await fake.faults.up();
  });

  it('onError that emits after close runs once per app emit', async () => {
    let client: EventClient | undefined;
    let onErrorCalls = 0;
    client = connect({
      onError: () => {
        onErrorCalls++;
        client?.emit({ action: 'custom_from_on_error' });
      },
    });
    await client.close();
    onErrorCalls = 0;
    expect(client.emit({ action: 'custom_after_close' })).toBe(false);
    expect(onErrorCalls).toBe(1);
    const stats = client.stats();
    expect(stats.dropped.closed).toBe(2);
    expect(identityHolds(stats)).toBe(true);
  });

  it('hooks that call flush, close and stats from inside do not hang or throw', async () => {
    let client: EventClient | undefined;
    const seen: ClientStats[] = [];
    client = connect({
      maxQueueSize: 1,
      onDrop: () => {
        if (!client) return;
        seen.push(client.stats());
        void client.flush({ timeoutMs: 100 });
        void client.close({ timeoutMs: 500 });
      },
      onError: () => {
        if (client) seen.push(client.stats());
      },
    });
    await fake.faults.down();
    for (let i = 0; i < 4; i++) client.emit({ action: 'custom_step', context: { i } });
    await fake.faults.up();
    const report = await client.close({ timeoutMs: 2000 });
    expect(report).toBeDefined();
    expect(seen.length).toBeGreaterThan(0);
    for (const stats of seen) expect(identityHolds(stats), JSON.stringify(stats)).toBe(true);
  });
});

describe('re-entrant beforeSend: an emit from inside it is refused, so it cannot feed itself forever', () => {
  it('beforeSend that emits for every event: one refusal per app event, and the stream ends', async () => {
    let client: EventClient | undefined;
    client = connect({
      beforeSend: (event) => {
        client?.emit({ action: 'custom_from_before_send' });
        return event;
      },
      onError: () => undefined,
    });
    for (let i = 0; i < 3; i++) client.emit({ action: 'custom_step', context: { i } });
    await client.flush({ timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stats = client.stats();
    expect(stats.delivered).toBe(3);
    expect(stats.dropped.invalid).toBe(3);
    expect(stats.emitted).toBe(6);
    await client.close({ timeoutMs: 2000 });
  });
});

describe('accounting inside hooks: the identity holds at every moment a hook can see', () => {
  it.each(['drop-oldest', 'drop-newest'] as const)(
    'overflow %s: inside onError and onDrop, emitted = queued + inFlight + delivered + sum(dropped)',
    async (overflow) => {
      let client: EventClient | undefined;
      const broken: string[] = [];
      const check = (where: string) => {
        if (!client) return;
        const stats = client.stats();
        if (!identityHolds(stats)) broken.push(`${where}: ${JSON.stringify(stats)}`);
      };
      await fake.faults.down();
      client = connect({
        maxQueueSize: 3,
        overflow,
        onError: (error: AuthentikEventsError) => check(`onError ${error.code}`),
        onDrop: (_events, reason) => check(`onDrop ${reason}`),
      });
      for (let i = 0; i < 20; i++) client.emit({ action: 'custom_step', context: { i } });
      await fake.faults.up();
      await client.close({ timeoutMs: 2000 });
      check('after close');
      expect(broken).toEqual([]);
      expect(client.stats().dropped.queue_full).toBe(17);
    },
  );

  it('inside a getter of the emitted event, the identity holds', () => {
    let client: EventClient | undefined;
    const broken: string[] = [];
    client = connect({ onError: () => undefined });
    const input = {
      get action() {
        const stats = client?.stats();
        if (stats && !identityHolds(stats)) broken.push(JSON.stringify(stats));
        return 'custom_getter';
      },
    };
    client.emit(input as never);
    client.emit({ action: 'custom_plain', context: { n: 1 } });
    expect(broken).toEqual([]);
    return client.close({ timeoutMs: 2000 });
  });
});
