// The delivery worker: the HTTP requests of one client, on a thread of their own, so that the
// CPU they cost (an HTTP exchange costs several times what a hello-world request does) is not
// taken from the app's event loop. Started by WorkerTransport; everything else (queue, retries,
// accounting, callbacks) stays on the main thread.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { classifyResponse } from '../delivery/classify.js';
import { VERSION } from '../version.js';
import { DeliveryBudget } from './app-load.js';
import { TransportError } from './transport.js';
import { UndiciTransport } from './undici-transport.js';
import type {
  DeliveryWorkerData,
  DeliveryWorkerResult,
  FromDeliveryWorker,
  ToDeliveryWorker,
} from './worker-messages.js';

/** The lowest priority there is: the thread runs when the app's threads leave a CPU idle. */
const LOWEST_PRIORITY = 19;
/**
 * While the app's event loop is more than 90% busy, delivery may take 5% of the worker's time
 * (measured over 100 ms windows); below that, it takes whatever the app leaves idle.
 */
const BUDGET = { busyAbovePerMille: 900, share: 0.05, windowMs: 100 };

const data = workerData as DeliveryWorkerData;
if (!parentPort) throw new Error('delivery-worker must run in a worker thread');
const port = parentPort;

// On Linux a nice value belongs to a thread, and setpriority() on "process 0" changes the
// calling thread only: this lowers the worker, never the app. Elsewhere it would lower the whole
// process, so it is not done there.
if (data.lowPriority && process.platform === 'linux') {
  try {
    setPriority(LOWEST_PRIORITY);
  } catch {
    // Not permitted (a seccomp profile, say): the worker runs at the app's priority.
  }
}

const transport = new UndiciTransport({
  endpoint: new URL(data.endpoint),
  token: data.token,
  concurrency: data.concurrency,
  timeoutMs: data.timeoutMs,
  userAgent: data.userAgent,
  ca: data.ca,
});
/** Requests started or waiting for the budget, by id (an abort reaches both). */
const inFlight = new Map<number, AbortController>();
const waiting: Array<[id: number, body: string]> = [];
const budget = data.appLoad ? new DeliveryBudget(new Int32Array(data.appLoad), BUDGET) : undefined;
let pumpTimer: NodeJS.Timeout | undefined;
/**
 * A `Retry-After` the server sent holds the requests still waiting here until then, as the main
 * thread's gate holds the ones it has not handed over yet: requests handed over just before the
 * pause (up to the sender's whole limit) would otherwise go out during it, one after another as
 * the budget lets them.
 */
let pausedUntil = 0;
let outbox: DeliveryWorkerResult[] = [];
let flushScheduled = false;

function flushResults(): void {
  flushScheduled = false;
  if (outbox.length === 0) return;
  const message: FromDeliveryWorker = { type: 'results', results: outbox };
  outbox = [];
  port.postMessage(message);
}

function reply(result: DeliveryWorkerResult): void {
  outbox.push(result);
  if (flushScheduled) return;
  flushScheduled = true;
  // Results of one turn go back in one message: each message costs both threads a wake-up.
  setImmediate(flushResults);
}

async function send(id: number, body: string, controller: AbortController): Promise<void> {
  try {
    const response = await transport.send(body, controller.signal);
    const outcome = classifyResponse(response);
    if (outcome.kind === 'retry' && outcome.retryAfterMs !== undefined) {
      pausedUntil = Math.max(pausedUntil, Date.now() + outcome.retryAfterMs);
    }
    reply({ id, ok: true, response });
  } catch (error) {
    const kind = error instanceof TransportError ? error.kind : 'network';
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof TransportError ? error.code : undefined;
    reply({ id, ok: false, kind, message, code });
  } finally {
    inFlight.delete(id);
  }
}

/** Answers, at once, the waiting requests that were aborted (they never went out). */
function answerAbortedWaiting(): void {
  for (let index = waiting.length - 1; index >= 0; index--) {
    const [id] = waiting[index] as [number, string];
    if (inFlight.get(id)?.signal.aborted) {
      waiting.splice(index, 1);
      inFlight.delete(id);
      reply({ id, ok: false, kind: 'aborted', message: 'request aborted before it started' });
    }
  }
}

/** Requests started and not yet answered: at most `concurrency`, one per connection. */
let active = 0;

/**
 * Starts what is waiting, up to `concurrency` at once (the most requests in flight: a fixed
 * `concurrency` or `maxConcurrency`; the main thread never hands over more than its current
 * limit, and the cap keeps the connections' bound here too), as far as the budget allows and
 * not during a `Retry-After` pause; asks again when a request ends or the wait is over. The
 * deadline of each starts only here, when it goes out.
 */
function pump(): void {
  pumpTimer = undefined;
  while (waiting.length > 0 && active < data.concurrency) {
    const waitMs = Math.max(pausedUntil - Date.now(), budget?.waitMs() ?? 0);
    if (waitMs > 0) {
      pumpTimer = setTimeout(pump, waitMs);
      return;
    }
    const [id, body] = waiting.shift() as [number, string];
    const controller = inFlight.get(id);
    if (controller && !controller.signal.aborted) {
      active++;
      void send(id, body, controller).finally(() => {
        active--;
        if (pumpTimer === undefined) pump();
      });
    } else {
      // Aborted while waiting: it never went out; the main thread waits for this answer.
      inFlight.delete(id);
      reply({ id, ok: false, kind: 'aborted', message: 'request aborted before it started' });
    }
  }
}

port.on('message', (message: ToDeliveryWorker) => {
  if (message.type === 'send') {
    for (const request of message.requests) {
      inFlight.set(request[0], new AbortController());
      waiting.push(request);
    }
    if (pumpTimer === undefined) pump();
  } else {
    // A request that already has its answer keeps it (it is in the outbox); the others end as
    // aborted. Either way the main thread gets one answer per id, so that an event the server
    // stored is not counted as lost.
    for (const id of message.ids) inFlight.get(id)?.abort();
    answerAbortedWaiting();
  }
});

port.postMessage({ type: 'ready', version: VERSION } satisfies FromDeliveryWorker);
