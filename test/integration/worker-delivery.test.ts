import { existsSync } from 'node:fs';
import {
  type AuthentikEventsError,
  createEventClient,
  DeliveryError,
  type EventClient,
} from '@authentik-events/core';
import type { FakeAuthentik } from '@authentik-events/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closedPort } from '../reliability/support/closed-port.js';
import {
  connect,
  eventPosts,
  expectAccounting,
  FAST,
  NO_DROPS,
  startFake,
  track,
  waitUntil,
} from './helpers.js';
import {
  type CoreCopy,
  copyCoreWithoutWorker,
} from './worker-delivery-support/core-without-worker.js';
import { type ChildResult, runModule } from './worker-delivery-support/run-child.js';
import {
  canSeeThreadPriorities,
  lowPriorityThreads,
  lowPriorityThreadsGone,
  threadNices,
} from './worker-delivery-support/threads.js';

async function emitAndFlush(client: EventClient, fake: FakeAuthentik, count: number) {
  for (let i = 0; i < count; i++) client.emit({ action: 'custom_step', context: { i } });
  const report = await client.flush({ timeoutMs: 10_000 });
  expect(report).toMatchObject({ delivered: count, pending: 0, complete: true, dropped: NO_DROPS });
  expect(fake.events.map((event) => event.context.i)).toEqual([...Array(count).keys()]);
  expect(client.stats()).toMatchObject({
    emitted: count,
    queued: 0,
    inFlight: 0,
    delivered: count,
  });
  expectAccounting(client.stats());
}

// A background worker of an earlier test ends asynchronously after its close(); the priority
// checks below need a process without one.
beforeEach(async () => {
  if (canSeeThreadPriorities) expect(await lowPriorityThreadsGone()).toBe(true);
});

describe("delivery: 'background' (the default)", () => {
  it('delivers every event with balanced stats', async () => {
    const fake = await startFake();
    const { client, errors } = connect(fake);
    await emitAndFlush(client, fake, 5);
    expect(errors).toEqual([]);
  });

  it.skipIf(!canSeeThreadPriorities)(
    'sends from one thread at nice 19, which is gone after close()',
    async () => {
      expect(lowPriorityThreads()).toEqual([]);
      const fake = await startFake();
      const { client } = connect(fake);
      await emitAndFlush(client, fake, 3);
      // The worker is idle now but still running, at the lowest priority; nothing else is.
      const worker = lowPriorityThreads();
      expect(worker).toHaveLength(1);

      await client.close();
      expect(await lowPriorityThreadsGone()).toBe(true);
      expect(existsSync(`/proc/self/task/${worker[0]}`)).toBe(false);
    },
  );
});

describe("delivery: 'worker'", () => {
  it('delivers from a new thread at the priority of the app', async () => {
    const fake = await startFake();
    const before = new Set(threadNices().keys());
    const { client, errors } = connect(fake, { delivery: 'worker' });
    await emitAndFlush(client, fake, 3);
    expect(errors).toEqual([]);
    if (!canSeeThreadPriorities) return;
    // The worker's thread exists (it is idle, not ended) and was not lowered.
    const mainNice = threadNices().get(String(process.pid));
    const added = [...threadNices()].filter(([tid]) => !before.has(tid));
    expect(added.length).toBeGreaterThanOrEqual(1);
    expect(added.map(([, nice]) => nice)).toEqual(added.map(() => mainNice));
    expect(lowPriorityThreads()).toEqual([]);
  });
});

describe("delivery: 'in-process'", () => {
  it('delivers without a low-priority thread', async () => {
    const fake = await startFake();
    const { client, errors } = connect(fake, { delivery: 'in-process' });
    await emitAndFlush(client, fake, 3);
    expect(errors).toEqual([]);
    if (canSeeThreadPriorities) expect(lowPriorityThreads()).toEqual([]);
  });
});

// A bundler that inlines the core but leaves dist/delivery-worker.js behind: the client must
// deliver anyway, from the main thread, and say so once.
describe('a build without delivery-worker.js', () => {
  let copy: CoreCopy;
  beforeAll(() => {
    copy = copyCoreWithoutWorker();
  });
  afterAll(() => copy.remove());

  const expectFallback = async (core: typeof import('@authentik-events/core')) => {
    const fake = await startFake();
    const errors: AuthentikEventsError[] = [];
    const client = track(
      core.createEventClient({
        url: fake.url,
        token: fake.token,
        ...FAST,
        onError: (error) => errors.push(error),
      }),
    );
    await emitAndFlush(client, fake, 3);

    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(core.AuthentikEventsError);
    expect(error).toBeInstanceOf(core.DegradedError);
    expect(error?.code).toBe('ERR_AUTHENTIK_EVENTS_WORKER');
    expect(error?.message).toBe(
      `the delivery worker ${copy.workerUrl} is not there (a bundled app? give the worker file your build ships as workerUrl): delivering on the app's event loop instead (set delivery: 'in-process' to choose that)`,
    );
    if (canSeeThreadPriorities) expect(lowPriorityThreads()).toEqual([]);

    // Told once per client, not once per request.
    client.emit({ action: 'custom_step', context: { i: 3 } });
    expect((await client.flush()).delivered).toBe(1);
    expect(errors).toHaveLength(1);
  };

  it('imported as ESM, delivers from the main thread and reports ERR_AUTHENTIK_EVENTS_WORKER once', async () => {
    await expectFallback(await copy.importEsm());
  });

  it('required as CommonJS, does the same', async () => {
    await expectFallback(copy.requireCjs());
  });
});

// The child never closes its client; the test server runs in this process.
const CHILD = `
import { createEventClient } from '@authentik-events/core';
const client = createEventClient({
  app: 'worker-exit-test',
  flushIntervalMs: 20,
  retry: { minDelayMs: 10, maxDelayMs: 200 },
  ...JSON.parse(process.env.CHILD_OPTIONS),
});
process.on('exit', () => console.log(JSON.stringify({ atExit: client.stats() })));
client.emit({ action: 'custom_step', context: { child: true } });
if (process.env.CHILD_FLUSH === '1') {
  const { delivered, complete } = await client.flush();
  console.log(JSON.stringify({ flushed: { delivered, complete } }));
}
`;

function runClientChild(
  fake: FakeAuthentik,
  options: Record<string, unknown>,
  flush: boolean,
): Promise<ChildResult> {
  return runModule(CHILD, {
    AUTHENTIK_URL: fake.url,
    AUTHENTIK_TOKEN: fake.token,
    CHILD_OPTIONS: JSON.stringify(options),
    CHILD_FLUSH: flush ? '1' : '0',
  });
}

/** `stats().byClass` after the child's one event (an audit event: the app emitted it) was delivered. */
const ONE_AUDIT_EVENT_DELIVERED = {
  audit: { emitted: 1, queued: 0, delivered: 1, dropped: NO_DROPS },
  request_log: { emitted: 0, queued: 0, delivered: 0, dropped: NO_DROPS },
};

const lines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('the worker and the life of the process', () => {
  it('an idle worker does not keep the process alive: flush() without close() and the script ends', async () => {
    const fake = await startFake();
    const result = await runClientChild(fake, {}, true);

    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(lines(result.stdout)).toEqual([
      { flushed: { delivered: 1, complete: true } },
      {
        atExit: {
          emitted: 1,
          queued: 0,
          queuedBytes: 0,
          awaitingLookup: 0,
          inFlight: 0,
          delivered: 1,
          retried: 0,
          dropped: NO_DROPS,
          byClass: ONE_AUDIT_EVENT_DELIVERED,
          sampledOut: 0,
          // The adaptive limit where it starts: one request is no reason to grow.
          concurrencyLimit: 4,
        },
      },
    ]);
    expect(fake.events.map((event) => event.context)).toMatchObject([{ child: true }]);
    console.info(`child exited after ${result.elapsedMs} ms (flushed, not closed)`);
  });

  // batchSize 1: the request starts on the next turn of the child's loop (setImmediate) and is
  // in flight when the script has nothing else left; the worker is ref'd while it waits for the
  // answer, as a socket would hold the process, and the event is stored.
  it('a request in flight keeps the process alive until it is answered', async () => {
    const fake = await startFake();
    fake.faults.latency(800);
    const result = await runClientChild(fake, { batchSize: 1 }, false);

    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(lines(result.stdout)).toEqual([
      {
        atExit: {
          emitted: 1,
          queued: 0,
          queuedBytes: 0,
          awaitingLookup: 0,
          inFlight: 0,
          delivered: 1,
          retried: 0,
          dropped: NO_DROPS,
          byClass: ONE_AUDIT_EVENT_DELIVERED,
          sampledOut: 0,
          // The adaptive limit where it starts: one request is no reason to grow.
          concurrencyLimit: 4,
        },
      },
    ]);
    expect(fake.events).toHaveLength(1);
    console.info(`child exited after ${result.elapsedMs} ms (request in flight, latency 800 ms)`);
  });

  // Default batching: one event waits for the flush timer, which is unref'd, so the script's
  // event loop runs empty with the event still queued. The timer does not hold the process;
  // the client's beforeExit flush delivers the event before the process ends.
  it('a queued event does not hold the process by its timer, and is delivered at exit', async () => {
    const fake = await startFake();
    fake.faults.latency(800);
    // A flush timer far away: only the exit flush can send the event.
    const result = await runClientChild(fake, { flushIntervalMs: 60_000 }, false);

    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0, signal: null });
    const [exit] = lines(result.stdout);
    expect(exit).toMatchObject({
      atExit: { emitted: 1, queued: 0, inFlight: 0, delivered: 1, dropped: NO_DROPS },
    });
    expect(fake.events).toHaveLength(1);
  });
});

describe('through the worker', () => {
  it('close() at its deadline drops the requests in flight as "closed"', async () => {
    const fake = await startFake();
    fake.faults.latency(30_000);
    const { client, errors } = connect(fake);
    for (let i = 0; i < 3; i++) client.emit({ action: 'custom_step', context: { i } });
    // All three reached the server through the worker and are waiting for its answer.
    await waitUntil(() => eventPosts(fake).length === 3, 'three event POSTs at the fake');
    expect(client.stats()).toMatchObject({ queued: 0, inFlight: 3 });

    const startedAt = Date.now();
    const report = await client.close({ timeoutMs: 300 });
    // A safety bound (it returned, near its deadline), not a speed claim.
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(report).toMatchObject({
      delivered: 0,
      pending: 0,
      complete: false,
      dropped: { ...NO_DROPS, closed: 3 },
    });
    expect(client.stats()).toMatchObject({
      emitted: 3,
      queued: 0,
      inFlight: 0,
      delivered: 0,
      dropped: { ...NO_DROPS, closed: 3 },
    });
    expectAccounting(client.stats());
    expect(eventPosts(fake).map((request) => request.status)).toEqual([0, 0, 0]);
    const closed = errors.filter((e) => e instanceof DeliveryError && e.reason === 'closed');
    expect(closed).toHaveLength(errors.length);
    expect(closed.reduce((sum, e) => sum + (e as DeliveryError).count, 0)).toBe(3);
  });

  it('retries a 503 and delivers on the next attempt', async () => {
    const fake = await startFake();
    fake.faults.failNext(1, 503);
    const { client, errors } = connect(fake);
    client.emit({ action: 'custom_step', context: { i: 0 } });
    const report = await client.flush({ timeoutMs: 10_000 });

    expect(report).toMatchObject({ delivered: 1, retried: 1, complete: true, dropped: NO_DROPS });
    expect(client.stats()).toMatchObject({ emitted: 1, delivered: 1, retried: 1 });
    expect(eventPosts(fake).map((request) => request.status)).toEqual([503, 201]);
    expect(fake.events).toHaveLength(1);
    expect(errors).toEqual([]);
    expectAccounting(client.stats());
  });

  it('passes a connection failure on with its kind and message (ECONNREFUSED)', async () => {
    const port = await closedPort();
    const errors: AuthentikEventsError[] = [];
    const client = track(
      createEventClient({
        url: `http://127.0.0.1:${port}`,
        token: 'no-server-here',
        ...FAST,
        retry: { retries: 2, minDelayMs: 10, maxDelayMs: 20 },
        onError: (error) => errors.push(error),
      }),
    );
    client.emit({ action: 'custom_step', context: { i: 0 } });
    const report = await client.flush({ timeoutMs: 10_000 });

    expect(report).toMatchObject({
      delivered: 0,
      retried: 2,
      complete: true,
      dropped: { ...NO_DROPS, retries_exhausted: 1 },
    });
    expectAccounting(client.stats());
    // Reported at once, with its code and what to check; then the event's own end.
    expect(errors.map((error) => error.code)).toEqual([
      'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED',
      'ERR_AUTHENTIK_EVENTS_RETRIES_EXHAUSTED',
    ]);
    expect(errors[0]?.message).toContain(`connection refused at http://127.0.0.1:${port}`);
    expect(errors[1]).toBeInstanceOf(DeliveryError);
    expect(errors[1]?.message).toBe(
      `gave up after 2 retries, retry.retries (2) used up: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });
});
