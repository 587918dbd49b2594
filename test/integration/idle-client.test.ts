import type { ClientOptions, DeliveryMode, EventClient } from '@authentik-events/core';
import type { FakeAuthentik } from '@authentik-events/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, NO_DROPS, sleep, startFake, waitUntil } from './helpers.js';
import { type PendingTimer, wakeUps, watchCoreTimers } from './idle-support/core-timers.js';
import {
  canSeeThreadPriorities,
  lowPriorityThreads,
  lowPriorityThreadsGone,
} from './worker-delivery-support/threads.js';

// An idle client costs its process nothing: once everything emitted is settled, none of the
// core's timers, intervals or immediates is left (no flush timer, no stall watchdog, no
// app-load publisher), the delivery worker's thread does not wake up, and delivery starts again
// as before when the next events come (bench/idle-cost.mjs measures the CPU).

const MODES: DeliveryMode[] = ['background', 'worker', 'in-process'];
const STALLED = 'ERR_AUTHENTIK_EVENTS_STALLED';

let watch: ReturnType<typeof watchCoreTimers>;
beforeEach(async () => {
  // A background worker of an earlier test ends asynchronously after its close().
  if (canSeeThreadPriorities) expect(await lowPriorityThreadsGone()).toBe(true);
  watch = watchCoreTimers();
});
afterEach(() => {
  watch.stop();
  vi.useRealTimers();
});

const describeTimers = (timers: PendingTimer[]) =>
  timers.map((timer) => `${timer.type} made ${timer.madeAt}`).join('\n');

/** The core's timers still pending, after the turn in which the last answer was handled. */
async function pendingAfterSettling(): Promise<PendingTimer[]> {
  await new Promise((resolve) => setImmediate(resolve));
  return watch.pending();
}

async function deliver(client: EventClient, fake: FakeAuthentik, count: number): Promise<void> {
  const before = fake.events.length;
  for (let i = 0; i < count; i++) client.emit({ action: 'custom_step', context: { i } });
  const report = await client.flush({ timeoutMs: 10_000 });
  expect(report).toMatchObject({ delivered: count, pending: 0, complete: true, dropped: NO_DROPS });
  expect(fake.events).toHaveLength(before + count);
}

describe.each(MODES)("an idle client, delivery: '%s'", (delivery) => {
  const options: ClientOptions = { delivery, flushIntervalMs: 200 };

  it('keeps none of its timers once what it was given is delivered', async () => {
    const fake = await startFake();
    fake.faults.latency(150);
    const { client, errors } = connect(fake, options);

    client.emit({ action: 'custom_step', context: { i: 0 } });
    // Waiting for its batch: the flush timer and the stall watchdog run, and the watch sees them.
    expect(watch.pending().length, describeTimers(watch.all())).toBeGreaterThanOrEqual(2);
    if (delivery === 'background') {
      // In flight in the worker: the app's load is published for the worker's budget.
      void client.flush();
      await waitUntil(() => fake.requestCount === 1, 'the request at the fake');
      const publisher = watch.pending().filter((t) => t.stack.includes('AppLoadPublisher'));
      expect(publisher, describeTimers(watch.pending())).toHaveLength(1);
    }
    expect(await client.flush()).toMatchObject({ delivered: 1, pending: 0, complete: true });
    expect(fake.events).toHaveLength(1);

    const left = await pendingAfterSettling();
    expect(left, describeTimers(left)).toEqual([]);
    // Idle for a while: nothing of the core's comes back by itself.
    await sleep(500);
    expect(watch.pending(), describeTimers(watch.pending())).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('delivers again after a long idle (the server dropped its connections, an hour passed)', async () => {
    const fake = await startFake();
    const { client, errors } = connect(fake, options);
    await deliver(client, fake, 2);
    expect(await pendingAfterSettling()).toEqual([]);

    // The server closes the idle keep-alive connections (as a restart or a proxy would), and
    // the clock moves an hour on.
    await fake.faults.down();
    await fake.faults.up();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_600_000);
    vi.useRealTimers();

    await deliver(client, fake, 3);
    expect(fake.events.map((event) => event.context.i).sort()).toEqual([0, 0, 1, 1, 2]);
    const left = await pendingAfterSettling();
    expect(left, describeTimers(left)).toEqual([]);
    expect(errors).toEqual([]);
    expect(client.stats()).toMatchObject({ emitted: 5, delivered: 5, queued: 0, inFlight: 0 });
  });

  it('still reports a real stall that begins after an idle spell', async () => {
    const fake = await startFake();
    // The watchdog's interval and the clock are faked (the client reads the clock it was made
    // with), nothing else; real time still moves them on.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], shouldAdvanceTime: true });
    const { client, errors } = connect(fake, { ...options, requestTimeoutMs: 120_000 });
    await deliver(client, fake, 1);
    // Settled: the watchdog's interval is stopped.
    expect(vi.getTimerCount()).toBe(0);
    await sleep(200);

    // authentik now takes requests and never answers.
    fake.faults.hostile('hang');
    for (let i = 0; i < 5; i++) client.emit({ action: 'custom_step', context: { i } });
    void client.flush();
    await waitUntil(() => fake.requestCount === 5, 'four more requests at the fake');
    // The watchdog runs again, and in the background mode the app-load publisher too.
    expect(vi.getTimerCount()).toBe(delivery === 'background' ? 2 : 1);
    vi.advanceTimersByTime(31_000);
    const stalls = errors.filter((error) => error.code === STALLED);
    expect(stalls, JSON.stringify(errors.map((error) => error.message))).toHaveLength(1);
    expect(stalls[0]?.message).toMatch(
      /^delivery stalled: no event delivered \(or dropped\) for 3\d s while 5 wait; /,
    );
    fake.faults.hostile(null);
  });
});

describe.skipIf(!canSeeThreadPriorities)("the delivery worker's thread, idle", () => {
  it('does not wake up once its requests are answered', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    await deliver(client, fake, 3);
    const [worker] = lowPriorityThreads();
    expect(worker).toBeDefined();
    // V8 finishes some work of its own in the second after a burst (Node.js 24 wakes the thread
    // a few times for it); what must not be there is a wake-up that repeats.
    await sleep(1000);
    const before = wakeUps(worker as string);
    await sleep(2000);
    // A timer or a poll of 100 ms would wake it twenty times, one of 250 ms eight times; a
    // message or two may cross, and V8 may still finish a task.
    expect(wakeUps(worker as string) - before).toBeLessThanOrEqual(4);
    // And it still delivers.
    await deliver(client, fake, 2);
  });
});
