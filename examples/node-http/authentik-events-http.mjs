// A complete adapter for plain node:http, built the way the Express, Koa and Fastify adapters
// are: a RequestReader says how this "framework" exposes a request, createRecorder does the
// rest (options, the client, users, brands, lookups, secrets, request ids, events).
import { createRecorder, finishWithResponse } from '@authentik-events/core';

function firstHeader(value) {
  return Array.isArray(value) ? value[0] : value;
}

/** The Host header without its port (`[::1]:8080` → `[::1]`), as Express's `req.hostname` reads it. */
function hostOf(header) {
  if (!header) return undefined;
  const end = header.startsWith('[') ? header.indexOf(']') + 1 : header.indexOf(':');
  return end > 0 ? header.slice(0, end) : header;
}

/**
 * How node:http exposes what an event needs. Plain node:http trusts no proxy, so the client's
 * IP is the socket's peer and a forged X-Forwarded-For counts for nothing. Behind a proxy,
 * read the forwarded address in `ip` (and answer `trustsProxy` with true) only when
 * `req.socket.remoteAddress` is that proxy's address.
 *
 * @type {import('@authentik-events/core').RequestReader<import('node:http').IncomingMessage>}
 */
export const nodeHttpReader = {
  method: (req) => req.method ?? 'GET',
  url: (req) => req.url ?? '/',
  ip: (req) => req.socket.remoteAddress,
  host: (req) => hostOf(firstHeader(req.headers.host)),
  header: (req, name) => firstHeader(req.headers[name]),
  // The app's authentication sets req.user, as passport does in Express.
  user: (req) => req.user,
  trustsProxy: () => false,
};

/**
 * Records every request a node:http handler answers, its thrown errors and 5xx, and the events
 * it emits through `req.authentik.emit(...)`.
 *
 * @param {import('@authentik-events/core').AdapterOptions<import('node:http').IncomingMessage>} [options]
 * @example
 * const events = authentikEvents({ url: 'https://auth.example.com', token, app: 'shop' });
 * http.createServer(events.handler(async (req, res) => { … })).listen(3000);
 */
export function authentikEvents(options = {}) {
  // Checks every option once, here: a wrong one throws a ConfigError naming it.
  const recorder = createRecorder(options, nodeHttpReader, 'example-node-http');
  return {
    client: recorder.client,
    /**
     * Wraps the app's request handler. A handler that throws (or rejects) is recorded as
     * `system_exception` and answered with 500; node:http has no error handler of its own,
     * and an exception left to it would crash the process.
     */
    handler(handle) {
      return async function recordedHandler(req, res) {
        const scope = recorder.start(req);
        req.authentik = scope;
        // Ends the scope once, at `finish` (answered) or `close` (aborted).
        finishWithResponse(res, scope);
        try {
          await handle(req, res);
        } catch (error) {
          scope.fail(error);
          if (res.headersSent) {
            res.destroy();
            return;
          }
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'internal error' }));
        }
      };
    },
    /** Flushes and closes the client (if this adapter created it). */
    close: (closeOptions) => recorder.close(closeOptions),
  };
}
