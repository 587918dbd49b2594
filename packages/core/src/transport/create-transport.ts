import { ConfigError } from '../errors.js';
import type { DeliveryMode } from '../options.js';
import {
  type ConnectionProblemSink,
  ProblemReportingTransport,
} from './problem-reporting-transport.js';
import type { Transport } from './transport.js';
import { UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';
import { checkInFlightMemory, workerHeapMb } from './worker-heap.js';
import { startedAsDeliveryWorker } from './worker-role.js';
import { WorkerTransport } from './worker-transport.js';

export interface TransportSettings extends UndiciTransportOptions {
  /** The largest event body: with `concurrency`, what the requests in flight can hold. */
  maxEventBytes: number;
  /** The app's own delivery worker file (`workerUrl`), else the one beside this package's code. */
  workerUrl?: URL;
  /** The option that set `concurrency` (the most requests in flight), for a `ConfigError`. */
  limitOption?: 'concurrency' | 'maxConcurrency';
}

/**
 * How long a worker from `workerUrl` may take to say it is ready before it is taken for a file
 * that is not the worker (one that runs and never answers). Generous: a thread at the lowest
 * priority on a saturated machine starts slowly. The package's own worker has no deadline.
 */
const GIVEN_WORKER_READY_MS = 30_000;

/**
 * The transport for a delivery mode: `background` and `worker` send from a worker thread
 * (`background` at the lowest scheduling priority, keeping to a small share of the time while
 * the app's event loop is busy), `in-process` on the app's event loop.
 * The worker's file sits beside the bundle that contains this module (dist/), unless the app
 * gives its own (`workerUrl`). Either reports connection problems at once
 * (problem-reporting-transport.ts).
 */
export function createTransport(
  mode: DeliveryMode,
  settings: TransportSettings,
  report: ConnectionProblemSink & { fallback(reason: string): void },
): Transport {
  if (startedAsDeliveryWorker()) {
    // This thread was started to be the delivery worker, and runs an app instead: stop it here,
    // before it starts a worker of its own (which would load the same file, and so on). The
    // thread's error reaches the app's client, which then delivers from its own event loop.
    throw new ConfigError(
      'workerUrl',
      'points at code that creates an authentik-events client (the app itself?), not at the delivery worker: point it at the file your build makes from @authentik-events/core/delivery-worker',
    );
  }
  const { maxEventBytes, workerUrl, limitOption, ...options } = settings;
  checkInFlightMemory(options.concurrency, maxEventBytes, limitOption);
  const heapMb = workerHeapMb(options.concurrency, maxEventBytes);
  const transport = transportFor(mode, options, heapMb, workerUrl, (reason) =>
    report.fallback(reason),
  );
  return new ProblemReportingTransport(transport, options.endpoint, report);
}

/**
 * The worker file beside this module: beside the package's dist/, or beside the app's ESM
 * bundle when the build put the worker there as `delivery-worker.js`. A CommonJS bundle made
 * from the ESM build has an empty `import.meta`: no telling where that is (`workerUrl` says).
 */
function packagedWorkerUrl(): URL | undefined {
  try {
    return new URL('./delivery-worker.js', import.meta.url);
  } catch {
    return undefined;
  }
}

function transportFor(
  mode: DeliveryMode,
  options: UndiciTransportOptions,
  heapMb: number,
  workerUrl: URL | undefined,
  onFallback: (reason: string) => void,
): Transport {
  if (mode === 'in-process') return new UndiciTransport(options);
  return new WorkerTransport({
    workerUrl: workerUrl ?? packagedWorkerUrl(),
    workerUrlGiven: workerUrl !== undefined,
    readyTimeoutMs: workerUrl === undefined ? undefined : GIVEN_WORKER_READY_MS,
    data: {
      endpoint: options.endpoint.href,
      token: options.token,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      userAgent: options.userAgent,
      ca: options.ca ? [...options.ca] : undefined,
      lowPriority: mode === 'background',
    },
    heapMb,
    yieldToBusyApp: mode === 'background',
    fallback: () => new UndiciTransport(options),
    onFallback,
  });
}
