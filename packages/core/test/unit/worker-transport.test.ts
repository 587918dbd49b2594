import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Transport,
  TransportError,
  type TransportResponse,
} from '../../src/transport/transport.js';
import { WorkerTransport } from '../../src/transport/worker-transport.js';
import { VERSION } from '../../src/version.js';

const fixture = (name: string) => new URL(`../fixtures/workers/${name}`, import.meta.url);

/** A fallback that answers 202 at once and remembers every body it was given. */
class RecordingTransport implements Transport {
  readonly bodies: string[] = [];
  closed = 0;
  send(body: string): Promise<TransportResponse> {
    this.bodies.push(body);
    return Promise.resolve({ status: 202, retryAfter: undefined, body: `fallback:${body}` });
  }
  close(): void {
    this.closed++;
  }
}

interface Setup {
  transport: WorkerTransport;
  /** Every fallback transport created, in order (at most one is expected). */
  fallbacks: RecordingTransport[];
  /** Every reason handed to onFallback, in order. */
  reasons: string[];
}

const transports: WorkerTransport[] = [];

interface SetupOptions {
  yieldToBusyApp?: boolean;
  /** As if the file came from the `workerUrl` option. */
  given?: boolean;
  readyTimeoutMs?: number;
}

function setup(workerFile: string, options: SetupOptions = {}): Setup {
  const fallbacks: RecordingTransport[] = [];
  const reasons: string[] = [];
  const transport = new WorkerTransport({
    workerUrl: fixture(workerFile),
    workerUrlGiven: options.given,
    readyTimeoutMs: options.readyTimeoutMs,
    data: {
      endpoint: 'http://127.0.0.1:9/api/v3/events/events/',
      token: 'unit-test-token',
      concurrency: 4,
      timeoutMs: 1000,
      userAgent: 'worker-transport-test',
      lowPriority: false,
    },
    heapMb: 64,
    yieldToBusyApp: options.yieldToBusyApp ?? false,
    fallback: () => {
      const fallback = new RecordingTransport();
      fallbacks.push(fallback);
      return fallback;
    },
    onFallback: (reason) => reasons.push(reason),
  });
  transports.push(transport);
  return { transport, fallbacks, reasons };
}

/** The worker thread a transport runs now: no public surface shows it, and close() must end it. */
function workerOf(transport: WorkerTransport): Worker | undefined {
  return (transport as unknown as { worker: Worker | undefined }).worker;
}

const signal = () => new AbortController().signal;

interface Answer {
  id: number;
  body: string;
  message: number;
  batch: number;
  threadId: number;
  received: Array<[number, string]>;
  aborted: number[];
  /** The app's load (per mille) as the worker read it; null without `yieldToBusyApp`. */
  appLoad: number | null;
}

const answer = (response: TransportResponse) => JSON.parse(response.body) as Answer;

/** The error a promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

afterEach(() => {
  for (const transport of transports.splice(0)) transport.close();
});

describe('WorkerTransport with a worker that answers', () => {
  it('resolves each send with its own response, and batches the sends of one turn in one message', async () => {
    const { transport, fallbacks, reasons } = setup('answer-201.mjs');
    const bodies = ['a', 'b', 'c', 'd', 'e'];
    const responses = await Promise.all(bodies.map((body) => transport.send(body, signal())));

    expect(responses.map((r) => ({ ...r, body: undefined }))).toEqual(
      bodies.map(() => ({ status: 201, retryAfter: undefined, body: undefined })),
    );
    const answers = responses.map(answer);
    // Each promise got the answer to its own body, under ids 1..5 in the order of the sends.
    expect(answers.map(({ id, body }) => [id, body])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
      [5, 'e'],
    ]);
    // Five sends in one turn crossed to the worker as its first and only message, of five.
    expect(answers.map(({ message, batch }) => [message, batch])).toEqual(bodies.map(() => [1, 5]));

    // A send in a later turn is a message of its own.
    const later = answer(await transport.send('f', signal()));
    expect(later).toMatchObject({ id: 6, body: 'f', message: 2, batch: 1 });
    expect(later.received.map(([, body]) => body)).toEqual([...bodies, 'f']);
    expect(transport.usesWorker).toBe(true);
    expect(fallbacks).toHaveLength(0);
    expect(reasons).toEqual([]);
  });

  it('rejects an abort while pending with kind "aborted" and tells the worker that id', async () => {
    const { transport } = setup('answer-201.mjs');
    const controller = new AbortController();
    const held = transport.send('hold:A', controller.signal);
    // Once this is answered the worker holds hold:A (messages cross in order).
    const before = answer(await transport.send('ping', signal()));
    const heldId = before.received.find(([, body]) => body === 'hold:A')?.[0];
    expect(heldId).toBe(1);
    expect(before.aborted).toEqual([]);

    controller.abort();
    const error = await rejection(held);
    expect(error.kind).toBe('aborted');
    expect(error.message).toBe('request aborted');

    const after = answer(await transport.send('ping', signal()));
    expect(after.aborted).toEqual([heldId]);
  });

  it('never hands the worker a request aborted in the turn it was sent', async () => {
    const { transport } = setup('answer-201.mjs');
    const controller = new AbortController();
    const sent = transport.send('hold:B', controller.signal);
    controller.abort();
    const error = await rejection(sent);
    expect(error.kind).toBe('aborted');

    const seen = answer(await transport.send('ping', signal()));
    // The abort came before the request left this thread: the server must never get it.
    expect(seen.received.map(([, body]) => body)).toEqual(['ping']);
  });

  it('rejects a send whose signal is already aborted without starting a worker', async () => {
    const { transport, fallbacks } = setup('answer-201.mjs');
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(transport.send('x', controller.signal));
    expect(error.kind).toBe('aborted');
    expect(error.message).toBe('request aborted before it started');
    expect(workerOf(transport)).toBeUndefined();
    expect(fallbacks).toHaveLength(0);
  });

  it('close() rejects pending sends with kind "aborted", ends the worker and refuses new sends', async () => {
    const { transport, fallbacks } = setup('answer-201.mjs');
    const first = transport.send('hold:1', signal());
    const second = transport.send('hold:2', signal());
    // Wait until the worker holds both, so that they are truly in flight when close() comes.
    const seen = answer(await transport.send('ping', signal()));
    expect(seen.received.map(([, body]) => body)).toEqual(['hold:1', 'hold:2', 'ping']);

    const worker = workerOf(transport);
    expect(worker).toBeDefined();
    const exited = once(worker as Worker, 'exit');
    transport.close();

    for (const pending of [first, second]) {
      const error = await rejection(pending);
      expect(error.kind).toBe('aborted');
      expect(error.message).toBe('the transport is closed');
    }
    // terminate() ends a worker with exit code 1.
    expect(await exited).toEqual([1]);
    const refused = await rejection(transport.send('late', signal()));
    expect(refused.kind).toBe('aborted');
    expect(refused.message).toBe('the transport is closed');
    expect(fallbacks).toHaveLength(0);
  });
});

/** Whether the app-load publisher of a transport runs now (no public surface shows it). */
function publishing(transport: WorkerTransport): boolean {
  return (transport as unknown as { publisher?: { running: boolean } }).publisher?.running === true;
}

/** Keeps this thread's event loop busy, letting timers run between stretches of `ms`. */
async function busyFor(stretches: number, ms: number): Promise<void> {
  for (let i = 0; i < stretches; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy on purpose
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe("WorkerTransport and the app's load (yieldToBusyApp)", () => {
  it('publishes the load only while requests are out, and again when they come after an idle spell', async () => {
    const { transport } = setup('answer-201.mjs', { yieldToBusyApp: true });
    expect(publishing(transport)).toBe(false);

    // A busy app with a request out: the worker reads the app as busy (above 900 per mille,
    // where its budget starts to hold requests back).
    const held = new AbortController();
    const holding = transport.send('hold:1', held.signal);
    expect(publishing(transport)).toBe(true);
    await busyFor(3, 120);
    expect(answer(await transport.send('ping', signal())).appLoad).toBeGreaterThan(900);

    // Nothing out: the publisher stops at once, and stays stopped while the app idles.
    held.abort();
    await rejection(holding);
    expect(publishing(transport)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(publishing(transport)).toBe(false);

    // The next request restarts it, and the first value covers the idle pause: not busy.
    const afterIdle = answer(await transport.send('ping', signal()));
    expect(afterIdle.appLoad).toBeLessThan(500);
    expect(publishing(transport)).toBe(false);

    // Busy again after the idle spell: the budget sees it again.
    const heldAgain = new AbortController();
    const holdingAgain = transport.send('hold:2', heldAgain.signal);
    await busyFor(3, 120);
    expect(answer(await transport.send('ping', signal())).appLoad).toBeGreaterThan(900);
    heldAgain.abort();
    await rejection(holdingAgain);
    expect(publishing(transport)).toBe(false);
  });

  it('without yieldToBusyApp, the worker gets no load to read and nothing is published', async () => {
    const { transport } = setup('answer-201.mjs');
    const response = answer(await transport.send('ping', signal()));
    expect(response.appLoad).toBeNull();
    expect(publishing(transport)).toBe(false);
  });

  it('stops publishing when the worker dies with requests out', async () => {
    const { transport } = setup('exit-on-crash.mjs', { yieldToBusyApp: true });
    await rejection(transport.send('crash', signal()));
    expect(publishing(transport)).toBe(false);
  });
});

describe('WorkerTransport when no worker can run', () => {
  it('re-sends what was pending through the fallback when the worker throws before "ready"', async () => {
    const { transport, fallbacks, reasons } = setup('throw-at-startup.mjs');
    const responses = await Promise.all([
      transport.send('one', signal()),
      transport.send('two', signal()),
    ]);

    expect(responses).toEqual([
      { status: 202, retryAfter: undefined, body: 'fallback:one' },
      { status: 202, retryAfter: undefined, body: 'fallback:two' },
    ]);
    expect(reasons).toEqual([
      `the delivery worker ${fixture('throw-at-startup.mjs').href} failed to start: fixture: cannot start`,
    ]);
    expect(transport.usesWorker).toBe(false);

    // From now on the fallback takes every request; no new worker is tried.
    expect(await transport.send('three', signal())).toMatchObject({ body: 'fallback:three' });
    expect(workerOf(transport)).toBeUndefined();
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]?.bodies).toEqual(['one', 'two', 'three']);
    expect(reasons).toHaveLength(1);

    transport.close();
    expect(fallbacks[0]?.closed).toBe(1);
  });

  it('goes straight to the fallback when the worker file is missing', async () => {
    const { transport, fallbacks, reasons } = setup('does-not-exist.mjs');
    const responses = await Promise.all([
      transport.send('x', signal()),
      transport.send('y', signal()),
    ]);

    expect(responses.map((r) => r.body)).toEqual(['fallback:x', 'fallback:y']);
    expect(reasons).toEqual([
      `the delivery worker ${fixture('does-not-exist.mjs').href} is not there (a bundled app? give the worker file your build ships as workerUrl)`,
    ]);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]?.bodies).toEqual(['x', 'y']);
    expect(workerOf(transport)).toBeUndefined();
    expect(transport.usesWorker).toBe(false);
  });
});

/** Sends two requests to a worker that cannot be used, and checks they went to the fallback. */
async function expectFallbackFor(setupResult: Setup, reason: string): Promise<void> {
  const { transport, fallbacks, reasons } = setupResult;
  const responses = await Promise.all([
    transport.send('one', signal()),
    transport.send('two', signal()),
  ]);
  expect(responses.map((r) => r.body)).toEqual(['fallback:one', 'fallback:two']);
  expect(reasons).toEqual([reason]);
  expect(transport.usesWorker).toBe(false);
  expect(workerOf(transport)).toBeUndefined();
  expect((await transport.send('three', signal())).body).toBe('fallback:three');
  expect(fallbacks).toHaveLength(1);
  expect(fallbacks[0]?.bodies).toEqual(['one', 'two', 'three']);
}

describe('WorkerTransport with a file that is not this version of the delivery worker', () => {
  it('ends a worker of another version at its "ready", and sends from here, nothing through it', async () => {
    const url = fixture('ready-of-another-version.mjs').href;
    await expectFallbackFor(
      setup('ready-of-another-version.mjs', { given: true }),
      `the delivery worker ${url} (workerUrl) failed to start: it is the delivery worker of @authentik-events/core 0.0.1, not of ${VERSION}: use the file of the version the app runs`,
    );
  });

  it('ends a worker whose first message is not "ready" (and never reads the rest)', async () => {
    const url = fixture('not-a-worker.mjs').href;
    await expectFallbackFor(
      setup('not-a-worker.mjs', { given: true }),
      `the delivery worker ${url} (workerUrl) failed to start: it is not the delivery worker (its first message was a string)`,
    );
  });

  it('ends a worker that says nothing by its ready deadline', async () => {
    const url = fixture('never-ready.mjs').href;
    await expectFallbackFor(
      setup('never-ready.mjs', { given: true, readyTimeoutMs: 300 }),
      `the delivery worker ${url} (workerUrl) failed to start: it did not say it was ready within 0.3 s`,
    );
  });

  it('names the option when the file it gives is not there', async () => {
    const url = fixture('does-not-exist.mjs').href;
    await expectFallbackFor(
      setup('does-not-exist.mjs', { given: true }),
      `the delivery worker ${url} (workerUrl) is not there`,
    );
  });

  it('falls back, with its reason, when it cannot tell where its worker is', async () => {
    const reasons: string[] = [];
    const fallback = new RecordingTransport();
    const transport = new WorkerTransport({
      workerUrl: undefined,
      data: {
        endpoint: 'http://127.0.0.1:9/api/v3/events/events/',
        token: 'unit-test-token',
        concurrency: 4,
        timeoutMs: 1000,
        userAgent: 'worker-transport-test',
        lowPriority: false,
      },
      heapMb: 64,
      yieldToBusyApp: true,
      fallback: () => fallback,
      onFallback: (reason) => reasons.push(reason),
    });
    transports.push(transport);
    expect((await transport.send('x', signal())).body).toBe('fallback:x');
    expect(reasons).toEqual([
      "the delivery worker's file cannot be found: this code was bundled without import.meta.url; give the worker file your build ships as workerUrl",
    ]);
    expect(publishing(transport)).toBe(false);
  });
});

describe('WorkerTransport with a worker that dies after "ready"', () => {
  it('fails pending sends as "network", restarts the worker, and falls back after 3 crashes', async () => {
    const { transport, fallbacks, reasons } = setup('exit-on-crash.mjs');
    const crash = async () => {
      const error = await rejection(transport.send('crash', signal()));
      expect(error.kind).toBe('network');
      expect(error.message).toBe('the delivery worker stopped: exit code 3');
    };

    // Crash 1 on the first send a fresh worker gets (its 'ready' was posted before it died).
    await crash();
    expect(reasons).toEqual([]);
    expect(fallbacks).toHaveLength(0);

    // The next send starts a new worker, which answers; another send reuses it.
    const first = JSON.parse((await transport.send('ok', signal())).body) as { threadId: number };
    const again = JSON.parse((await transport.send('ok', signal())).body) as { threadId: number };
    expect(again.threadId).toBe(first.threadId);

    await crash();
    const third = JSON.parse((await transport.send('ok', signal())).body) as { threadId: number };
    expect(third.threadId).not.toBe(first.threadId);
    expect(reasons).toEqual([]);

    await crash();
    expect(reasons).toEqual([
      `the delivery worker ${fixture('exit-on-crash.mjs').href} stopped 3 times, last: exit code 3`,
    ]);
    expect(transport.usesWorker).toBe(false);

    // After the third crash every request goes to the fallback, "crash" included.
    expect((await transport.send('after', signal())).body).toBe('fallback:after');
    expect((await transport.send('crash', signal())).body).toBe('fallback:crash');
    expect(workerOf(transport)).toBeUndefined();
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]?.bodies).toEqual(['after', 'crash']);
    expect(reasons).toHaveLength(1);
  });
});
