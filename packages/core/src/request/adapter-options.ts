import type { EventClient } from '../client.js';
import type { ClientOptions } from '../options.js';
import type { AuthentikBrand, AuthentikUser } from '../types.js';
import type { LookupOptions } from './lookups.js';
import type { RequestSample } from './sample-requests.js';

/**
 * The one option set of every adapter (Express, Koa, Fastify); `R` is what the framework
 * hands to callbacks (`req`, `ctx`, `request`).
 */
export interface AdapterOptions<R> extends ClientOptions {
  /**
   * A client to share; without it the adapter creates (and owns) one from `url`/`token`/`app`.
   * With it, the client's options (`url`, `concurrency`, `onError`, …) belong where the client
   * is created: passing them here too is a `ConfigError`, as they would have no effect.
   */
  client?: EventClient;
  /**
   * Record every request as a `custom_http_request` event. `{ sample: 0.1 }` records that share
   * of them; `{ sample: (request) => number | boolean }` decides per request (a share, or yes/no)
   * when the response is done. A request left out is no event (neither emitted nor dropped) and
   * is counted in `stats().sampledOut`; errors, 5xx and the app's own events are never sampled.
   * @default true
   */
  autoLog?: boolean | { sample?: RequestSample<R> };
  /**
   * Requests not to record: exact paths (`'/health'`), path prefixes ending in `*`
   * (`'/static/*'`), RegExps (tested without their `g`/`y` flags), or a predicate on the path.
   * The path is matched without its query string.
   */
  ignore?: Array<string | RegExp> | ((path: string, request: R) => boolean);
  /** The event's user; default: the framework's conventional user mapped to `{pk, username, email}`. */
  user?: (request: R) => AuthentikUser | null | undefined;
  /** Resolve usernames to authentik user pks through the API (cached). @default false */
  userLookup?: boolean | LookupOptions;
  /** A static brand, a function of the request, or `'lookup'` to match the host against authentik's brands. */
  brand?:
    | AuthentikBrand
    | ((request: R) => AuthentikBrand | null | undefined)
    | 'lookup'
    | { lookup: true | LookupOptions };
  /** Extra context for every event of a request. */
  context?: (request: R) => Record<string, unknown> | null | undefined;
  /** Put the stack of a thrown error in `system_exception` events. @default false */
  includeStack?: boolean;
  /** Override the client IP; default: the framework's own (its trust-proxy setting decides). */
  clientIp?: (request: R) => string | null | undefined;
  /**
   * The request id in `context.http_request.request_id`: the framework's own when it has one
   * (Fastify's, unless a peer the app does not trust sent it in Fastify's `requestIdHeader`),
   * else this header when the request's direct peer is a proxy the app trusts (or
   * `trustHeader: true`), else a new UUID. `header` must be a valid HTTP header name.
   * @default { header: 'x-request-id' }
   */
  requestId?: { header?: string; trustHeader?: boolean };
}

/** How an adapter reads its framework's request: the only framework-specific part of mapping. */
export interface RequestReader<R> {
  method(request: R): string;
  /** The URL as received, path and query. */
  url(request: R): string;
  /** The framework's client IP (trust-proxy aware). */
  ip(request: R): string | undefined;
  /** The framework's host name, without port (trust-proxy aware). */
  host(request: R): string | undefined;
  header(request: R, name: string): string | undefined;
  /** The conventional authenticated user (`req.user`, `ctx.state.user`, `request.user`). */
  user(request: R): unknown;
  /**
   * Whether the request's direct peer is a proxy the app trusts, by the framework's own
   * decision for that peer's address (then forwarded headers such as X-Request-Id count).
   */
  trustsProxy(request: R): boolean;
  /** The framework's own request id, if it makes one (and a client cannot have forged it). */
  requestId?(request: R): string | undefined;
}
