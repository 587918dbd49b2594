import type { DeliveryMode } from '../options.js';
import type { Transport } from './transport.js';
import { UndiciTransport, type UndiciTransportOptions } from './undici-transport.js';
import { WorkerTransport } from './worker-transport.js';

/**
 * The transport for a delivery mode: `background` and `worker` send from a worker thread
 * (`background` at the lowest scheduling priority, keeping to a small share of the time while
 * the app's event loop is busy), `in-process` on the app's event loop.
 * The worker's file sits beside the bundle that contains this module (dist/).
 */
export function createTransport(
  mode: DeliveryMode,
  options: UndiciTransportOptions,
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
      lowPriority: mode === 'background',
    },
    yieldToBusyApp: mode === 'background',
    fallback: () => new UndiciTransport(options),
    onFallback,
  });
}
