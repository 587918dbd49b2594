import type { EventClient } from './client.js';
import { ConfigError } from './errors.js';

export interface WithFlushOptions {
  /**
   * The longest the flush after each invocation waits: a slow or unreachable authentik must not
   * use up the function's own time limit. What is not delivered by then stays queued for the
   * next invocation of a warm instance (and is lost if the instance is never used again).
   * @default 5000
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** A client, or what holds one (an Express or Koa middleware's `.client`). */
function clientOf(target: unknown): EventClient | undefined {
  const candidate = target as { flush?: unknown; client?: { flush?: unknown } } | null;
  if (typeof candidate?.flush === 'function') return candidate as EventClient;
  if (typeof candidate?.client?.flush === 'function') return candidate.client as EventClient;
  return undefined;
}

/**
 * Wraps a serverless handler (AWS Lambda, Google Cloud Functions, Vercel, …) so that the events
 * of each invocation are delivered before it returns: the platform freezes the process as
 * soon as the handler's promise settles, and a background queue would never get to send.
 * The handler's result (or error) is passed on unchanged, after the flush.
 *
 * @example
 * const events = createEventClient({ delivery: 'in-process' });
 * export const handler = withFlush(events, async (event) => {
 *   events.emit({ action: 'custom_order_placed', context: { order: event.id } });
 *   return { statusCode: 201 };
 * });
 */
export function withFlush<A extends unknown[], R>(
  target: EventClient | { client: EventClient },
  handler: (...args: A) => R,
  options: WithFlushOptions = {},
): (...args: A) => Promise<Awaited<R>> {
  const client = clientOf(target);
  if (client === undefined)
    throw new ConfigError(
      'client',
      'of withFlush must be a client from createEventClient, or a middleware that has one (.client)',
    );
  if (typeof handler !== 'function')
    throw new ConfigError('handler', 'of withFlush must be the function to wrap');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))
    throw new ConfigError('timeoutMs', 'of withFlush must be a number of milliseconds ≥ 0');
  return async function flushingHandler(this: unknown, ...args: A): Promise<Awaited<R>> {
    try {
      return await handler.apply(this, args);
    } finally {
      // flush() never rejects: a failed delivery is counted, not thrown into the handler.
      await client.flush({ timeoutMs });
    }
  };
}
