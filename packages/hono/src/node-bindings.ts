import type { IncomingMessage, ServerResponse } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/**
 * What `@hono/node-server` hands the app as `c.env` (`{ incoming, outgoing }`, or under
 * `server` when the app wraps it, as its `getConnInfo` reads it). `undefined` elsewhere
 * (`app.request()` in a test, another runtime).
 */
function bindingsOf(c: Context): NodeBindings | undefined {
  const env = c.env as { server?: NodeBindings } & NodeBindings;
  if (env === null || typeof env !== 'object') return undefined;
  return env.server ?? env;
}

/** Node's request under this context, when it runs on `@hono/node-server`. */
export function nodeRequestOf(c: Context): IncomingMessage | undefined {
  return bindingsOf(c)?.incoming;
}

/** Node's response under this context: how the adapter learns when the answer is complete. */
export function nodeResponseOf(c: Context): ServerResponse | undefined {
  const outgoing = bindingsOf(c)?.outgoing;
  return outgoing && typeof outgoing.on === 'function' ? outgoing : undefined;
}

/** The socket's peer address, as `getConnInfo` reports it; `undefined` off Node or on a closed socket. */
export function peerAddressOf(c: Context): string | undefined {
  if (nodeRequestOf(c) === undefined) return undefined;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
