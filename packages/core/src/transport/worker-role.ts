import { isMainThread, workerData } from 'node:worker_threads';

/** Marks the `workerData` of a thread started as the delivery worker. */
export const DELIVERY_WORKER_ROLE = '@authentik-events/core delivery worker';

/**
 * Whether this code runs in a thread that was started as the delivery worker. A client made
 * there means the thread loaded the app instead of the worker (`workerUrl` pointing at the
 * app's own bundle): it must not start a worker of its own, or each would start another.
 */
export function startedAsDeliveryWorker(): boolean {
  if (isMainThread) return false;
  const data = workerData as { role?: unknown } | null | undefined;
  return typeof data === 'object' && data !== null && data.role === DELIVERY_WORKER_ROLE;
}
