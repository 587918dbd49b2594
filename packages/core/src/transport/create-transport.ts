import type { DeliveryMode } from '../options.js';
import {
  type ConnectionProblemSink,
  ProblemReportingTransport,
} from './problem-reporting-transport.js';
import type { Transport } from './transport.js';
import { UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';
import { checkInFlightMemory, workerHeapMb } from './worker-heap.js';
import { WorkerTransport } from './worker-transport.js';

export interface TransportSettings extends UndiciTransportOptions {
  /** The largest event body: with `concurrency`, what the requests in flight can hold. */
  maxEventBytes: number;
  /** The option that set `concurrency` (the most requests in flight), for a `ConfigError`. */
  limitOption?: 'concurrency' | 'maxConcurrency';
}

/**
 * The transport for a delivery mode: `background` and `worker` send from a worker thread
 * (`background` at the lowest scheduling priority, keeping to a small share of the time while
 * the app's event loop is busy), `in-process` on the app's event loop.
 * The worker's file sits beside the bundle that contains this module (dist/). Either reports
 * connection problems at once (problem-reporting-transport.ts).
 */
export function createTransport(
  mode: DeliveryMode,
  settings: TransportSettings,
  report: ConnectionProblemSink & { fallback(reason: string): void },
): Transport {
  const { maxEventBytes, limitOption, ...options } = settings;
  checkInFlightMemory(options.concurrency, maxEventBytes, limitOption);
  const heapMb = workerHeapMb(options.concurrency, maxEventBytes);
  const transport = transportFor(mode, options, heapMb, (reason) => report.fallback(reason));
  return new ProblemReportingTransport(transport, options.endpoint, report);
}

function transportFor(
  mode: DeliveryMode,
  options: UndiciTransportOptions,
  heapMb: number,
  onFallback: (reason: string) => void,
): Transport {
  if (mode === 'in-process') return new UndiciTransport(options);
  return new WorkerTransport({
    workerUrl: new URL('./delivery-worker.js', import.meta.url),
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
