import { createEventClient, DegradedError } from '@authentik-events/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, eventPosts, startFake, track, waitUntil } from './helpers.js';

const STALLED = 'ERR_AUTHENTIK_EVENTS_STALLED';
/** The client reports a stall after 30 s without a settled event. */
const PAST_THRESHOLD_MS = 31_000;

/**
 * The watchdog's interval and the clock are faked, nothing else: the requests, the fake
 * authentik and the sender's own timers stay real, and `advanceTimersByTime` makes the 30 s
 * of silence pass at once.
 */
function fakeTheWatchdogClock(): void {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], shouldAdvanceTime: true });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('silent stalls: a sender that delivers nothing while events wait says so, once, with why', () => {
  it('reports a Retry-After pause that holds the queue through onError, once per episode', async () => {
    const fake = await startFake();
    fake.faults.failNext(1000, 429, { retryAfter: 120 });
    fakeTheWatchdogClock();
    const { client, errors } = connect(fake, { delivery: 'in-process' });
    for (let i = 0; i < 5; i++) client.emit({ action: 'custom_step', context: { i } });
    // Each of the four requests in flight was answered 429 and is waiting to be retried.
    await waitUntil(() => client.stats().retried === 4, 'four answers of 429');
    expect(eventPosts(fake)).toHaveLength(4);
    expect(errors.filter((e) => e.code === STALLED)).toEqual([]);

    vi.advanceTimersByTime(PAST_THRESHOLD_MS);
    const stalls = errors.filter((e) => e.code === STALLED);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]).toBeInstanceOf(DegradedError);
    expect(stalls[0]?.message).toMatch(
      /^delivery stalled: no event delivered \(or dropped\) for 3\d s while 5 wait; the sender is waiting for a Retry-After pause until \d{4}-\d\d-\d\dT[\d:.]+Z; authentik last answered at .+ \(HTTP 429\)$/,
    );
    // The same stall, however long, is reported once.
    vi.advanceTimersByTime(60_000);
    expect(errors.filter((e) => e.code === STALLED)).toHaveLength(1);
    expect(client.stats()).toMatchObject({ delivered: 0 });
  });

  it('reports requests the delivery worker has not answered, since when', async () => {
    const fake = await startFake();
    fake.faults.hostile('hang');
    fakeTheWatchdogClock();
    const { client, errors } = connect(fake, { requestTimeoutMs: 60_000 });
    for (let i = 0; i < 5; i++) client.emit({ action: 'custom_step', context: { i } });
    await waitUntil(() => fake.requestCount === 4, 'four requests at the fake');
    vi.advanceTimersByTime(PAST_THRESHOLD_MS);
    const stalls = errors.filter((e) => e.code === STALLED);
    expect(stalls).toHaveLength(1);
    expect(stalls[0]?.message).toMatch(
      /the sender is waiting for 4 requests outstanding in the delivery worker \(the oldest since .+\); authentik has not answered yet$/,
    );
    fake.faults.hostile(null);
  });

  it('without onError, warns once through process.emitWarning', async () => {
    const fake = await startFake();
    fake.faults.failNext(1000, 429, { retryAfter: 120 });
    const warnings: Array<{ code?: string; message: string }> = [];
    const onWarning = (warning: Error & { code?: string }) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      fakeTheWatchdogClock();
      const client = track(
        createEventClient({
          url: fake.url,
          token: fake.token,
          app: 'integration-tests',
          flushIntervalMs: 20,
          delivery: 'in-process',
        }),
      );
      client.emit({ action: 'custom_step' });
      await waitUntil(() => client.stats().retried === 1, 'the answer of 429');
      vi.advanceTimersByTime(PAST_THRESHOLD_MS);
      vi.advanceTimersByTime(PAST_THRESHOLD_MS);
      // process.emitWarning delivers on the next tick.
      await waitUntil(() => warnings.some((w) => w.code === STALLED), 'the stall warning');
      await new Promise((resolve) => setImmediate(resolve));
      const stalls = warnings.filter((w) => w.code === STALLED);
      expect(stalls).toHaveLength(1);
      expect(stalls[0]?.message).toContain('a Retry-After pause until');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('does not report a client that delivers, however long it runs', async () => {
    const fake = await startFake();
    fakeTheWatchdogClock();
    const { client, errors } = connect(fake, { delivery: 'in-process' });
    for (let round = 0; round < 3; round++) {
      client.emit({ action: 'custom_step', context: { round } });
      await client.flush();
      vi.advanceTimersByTime(PAST_THRESHOLD_MS);
    }
    expect(errors).toEqual([]);
    expect(client.stats().delivered).toBe(3);
  });
});
