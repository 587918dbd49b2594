import {
  type AdapterOptions,
  type CheckOptions,
  type CheckResult,
  createRecorder,
  type DeliveryReport,
  type EventClient,
  finishWithResponse,
  type RequestEvents,
  type RequestScope,
  type TrustProxy,
} from '@authentik-events/core';
import type { Context, MiddlewareHandler } from 'hono';
import { honoReader } from './hono-reader.js';
import { nodeRequestOf, nodeResponseOf } from './node-bindings.js';

/** What the middleware puts in the context: `c.get('authentik')` / `c.var.authentik`. */
export interface AuthentikEventsVariables {
  /** Record events with this request's IP, user, brand and facts filled in. */
  authentik: RequestEvents;
}

declare module 'hono' {
  interface ContextVariableMap extends AuthentikEventsVariables {}
}

export interface AuthentikEventsOptions extends AdapterOptions<Context> {
  /**
   * Which peers are proxies whose `X-Forwarded-For` (client IP) and `X-Forwarded-Host`
   * (brand lookup) count, as Express's `trust proxy` and Fastify's `trustProxy` take it:
   * `true`, a hop count, addresses and subnets (`'loopback'`, `'10.0.0.0/8'`, a list of them),
   * or `(address, hop) => boolean`. Hono itself has no such setting. Without it the client IP
   * is the socket's peer (`getConnInfo`), and a forged header counts for nothing.
   * @default false
   */
  trustProxy?: TrustProxy;
}

/** The middleware, with the client it uses. */
export interface AuthentikEventsMiddleware
  extends MiddlewareHandler<{ Variables: AuthentikEventsVariables }> {
  client: EventClient;
  /** Whether events will arrive (URL, TLS, token, permission); see `client.check()`. Never throws. */
  check(options?: CheckOptions): Promise<CheckResult>;
  /** Closes the client if this middleware created it (flushing what is queued). */
  close(options?: { timeoutMs?: number }): Promise<DeliveryReport | undefined>;
}

const PACKAGE_NAME = '@authentik-events/hono';
const TRUST_NOBODY = () => false;

/**
 * Hono middleware (on Node.js, `@hono/node-server`) that records each request, errors and 5xx
 * responses, and the app's own events (`c.get('authentik').emit`) as authentik events. An
 * error a route throws is recorded as `system_exception` after `app.onError` (Hono's, or
 * yours) has answered it.
 *
 * @example
 * app.use(authentikEvents({ url: process.env.AUTHENTIK_URL, token: process.env.AUTHENTIK_TOKEN, app: 'shop' }));
 * app.post('/login', (c) => { c.get('authentik').emit('login'); return c.body(null, 204); });
 */
export function authentikEvents(options: AuthentikEventsOptions = {}): AuthentikEventsMiddleware {
  const recorder = createRecorder<Context>(
    options,
    (specific) => honoReader(specific.trustProxy ?? TRUST_NOBODY),
    PACKAGE_NAME,
    [],
    ['trustProxy'],
  );
  /** Requests this middleware has seen: used again on their way (app and sub-app), it records them once. */
  const scopes = new WeakMap<object, RequestScope<Context>>();

  const middleware = async function authentikEventsMiddleware(c: Context, next) {
    // Keyed by Node's request where there is one: an app mounted with app.mount() gets a new Request.
    const key = nodeRequestOf(c) ?? c.req.raw;
    const known = scopes.get(key);
    if (known) {
      c.set('authentik', known);
      await next();
      return;
    }
    const scope = recorder.start(c);
    scopes.set(key, scope);
    c.set('authentik', scope);
    // On Node, the response is complete when Node has sent it (a streamed body too), and a
    // client that went away first makes it an abort, as with Express and Koa.
    const outgoing = nodeResponseOf(c);
    if (outgoing) finishWithResponse(outgoing, scope);
    try {
      await next();
    } catch (error) {
      // Hono hands an Error to app.onError; only something else thrown comes up to here.
      scope.fail(error);
      if (!outgoing) scope.finish(undefined);
      throw error;
    }
    // What a route threw, after app.onError made the answer from it (a 4xx HTTPException is
    // the client's mistake, not a system_exception; the status decides, as elsewhere).
    if (c.error !== undefined) scope.fail(c.error);
    if (!outgoing) scope.finish(c.res.status);
  } as AuthentikEventsMiddleware;

  middleware.client = recorder.client;
  middleware.check = (checkOptions) => recorder.client.check(checkOptions);
  middleware.close = (closeOptions) => recorder.close(closeOptions);
  return middleware;
}

export type { RequestEvents, TrustProxy } from '@authentik-events/core';
