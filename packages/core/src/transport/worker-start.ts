import { Worker } from 'node:worker_threads';
import { VERSION } from '../version.js';
import type { DeliveryWorkerData, DeliveryWorkerResult } from './worker-messages.js';

export interface WorkerStartOptions {
  url: URL;
  workerData: DeliveryWorkerData;
  /** The worker's heap limit (worker-heap.ts sizes it from the configuration). */
  heapMb: number;
  /** End a worker that has not said `ready` by then (undefined: no deadline). */
  readyTimeoutMs: number | undefined;
}

export interface WorkerEvents {
  /** The worker said it is the delivery worker of this version, set up. */
  ready(): void;
  results(results: DeliveryWorkerResult[]): void;
  /** The thread ended, with why (its error, the handshake's problem, or its exit code). */
  exited(failure: string): void;
}

/**
 * Starts a delivery worker thread and holds it to the protocol: its first message must be
 * `ready` from this very version of the package (a worker file copied from another version, or
 * a file that is not the worker at all, is ended, and the exit says why); after that only
 * batches of results count. A message of any other shape is never read further, so a wrong
 * file cannot throw into the app's event loop. Throws what `new Worker` throws.
 */
export function startDeliveryWorker(options: WorkerStartOptions, events: WorkerEvents): Worker {
  const worker = new Worker(options.url, {
    workerData: options.workerData,
    // The app's flags (loaders, --require'd agents) are not for this thread.
    execArgv: [],
    // A cap protects the app from a leak in the worker; it is sized for the requests the
    // configuration can have in flight.
    resourceLimits: { maxOldGenerationSizeMb: options.heapMb },
  });
  worker.unref();
  let ready = false;
  let failure = '';
  const refuse = (problem: string) => {
    failure ||= problem;
    void worker.terminate().catch(() => undefined);
  };
  let readyTimer: NodeJS.Timeout | undefined;
  if (options.readyTimeoutMs !== undefined) {
    const seconds = options.readyTimeoutMs / 1000;
    readyTimer = setTimeout(
      () => refuse(`it did not say it was ready within ${seconds} s`),
      options.readyTimeoutMs,
    );
    readyTimer.unref();
  }
  worker.on('message', (message: unknown) => {
    if (failure) return;
    if (ready) {
      const results = (message as { type?: unknown; results?: unknown } | null)?.results;
      if (Array.isArray(results)) events.results(results as DeliveryWorkerResult[]);
      return;
    }
    const problem = handshakeProblem(message);
    if (problem) return refuse(problem);
    ready = true;
    clearTimeout(readyTimer);
    events.ready();
  });
  // An 'error' is followed by 'exit'; the exit decides what becomes of the requests.
  worker.on('error', (error) => {
    failure ||= error.message;
  });
  worker.on('exit', (code) => {
    clearTimeout(readyTimer);
    if (!failure && !ready) failure = `it ended without saying it was ready (exit code ${code})`;
    events.exited(failure || `exit code ${code}`);
  });
  return worker;
}

/** Why a worker's first message shows it is not the delivery worker of this version, if it does. */
function handshakeProblem(message: unknown): string | undefined {
  const { type, version } = (typeof message === 'object' && message !== null ? message : {}) as {
    type?: unknown;
    version?: unknown;
  };
  if (type !== 'ready') {
    return `it is not the delivery worker (its first message was ${describeMessage(message)})`;
  }
  if (version !== VERSION) {
    const theirs = typeof version === 'string' ? version.slice(0, 40) : 'an earlier version';
    return `it is the delivery worker of @authentik-events/core ${theirs}, not of ${VERSION}: use the file of the version the app runs`;
  }
  return undefined;
}

function describeMessage(message: unknown): string {
  if (typeof message !== 'object' || message === null) return `a ${typeof message}`;
  const type = (message as { type?: unknown }).type;
  return typeof type === 'string' ? `"${type.slice(0, 40)}"` : 'an object without a type';
}
