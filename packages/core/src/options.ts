import type { AuthentikEventsError } from './errors.js';
import type { DroppedEvent, DropReason, WireEvent } from './types.js';

/** Retry policy for one event (network errors, 408, 429, and 5xx but 501 and 505). */
export interface RetryOptions {
  /** Retries after the first attempt. @default 8 */
  retries?: number;
  /** First backoff ceiling; doubles each retry, with full jitter. At most 2^31-1. @default 500 */
  minDelayMs?: number;
  /** Largest backoff ceiling. At most 2^31-1. @default 30000 */
  maxDelayMs?: number;
  /**
   * Give up on an event after this long, however many retries are left; `Infinity` for no time
   * limit. @default 600000
   */
  maxRetryTimeMs?: number;
}

export interface RedactOptions {
  /** Extra key fragments to mask (case-insensitive substrings), added to authentik's list. */
  keys?: string[];
  /** Keys that are never masked, added to authentik's exceptions. */
  except?: string[];
}

/**
 * Where the HTTP requests run. `background`: a worker thread at the lowest scheduling priority
 * (on Linux), so delivery only uses CPU the app leaves idle; `worker`: a worker thread at the
 * app's priority; `in-process`: on the app's event loop (no worker thread).
 */
export type DeliveryMode = 'background' | 'worker' | 'in-process';

export interface ClientOptions {
  /**
   * authentik's base URL, e.g. `https://auth.example.com`, or the sub-path it is served under
   * (`https://example.com/authentik/`). A URL copied with one of authentik's own paths
   * (`…/api/v3/`, the events endpoint, `…/if/admin/`, an OAuth2 issuer `…/application/o/<slug>/`)
   * is cut back to that base. @default process.env.AUTHENTIK_URL
   */
  url?: string | URL;
  /** An API token with `authentik_events.add_event`. @default process.env.AUTHENTIK_TOKEN */
  token?: string;
  /** The `app` field of every event (your app's name). @default process.env.AUTHENTIK_APP */
  app?: string;
  /**
   * CA certificates (PEM) to trust besides Node's defaults, for an authentik behind a private CA
   * or with a self-signed certificate; used by event delivery and the lookups. Verification is
   * never turned off. `NODE_EXTRA_CA_CERTS` works too.
   */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Send to a plain-`http:` URL on a host that is not loopback (the token travels in clear). @default false */
  allowInsecureHttp?: boolean;
  /** Start sending when this many events are queued. @default 50 */
  batchSize?: number;
  /** Start sending queued events at least this often (ms, at most 2^31-1). @default 1000 */
  flushIntervalMs?: number;
  /**
   * A fixed number of requests in flight at once (and keep-alive connections), which turns the
   * adaptive limit off. Without it, the limit adapts to authentik's response times, from 4 up
   * to `maxConcurrency`. @default adaptive
   */
  concurrency?: number;
  /**
   * The most requests in flight the adaptive limit may reach (and keep-alive connections);
   * 1..256. Not together with `concurrency`. @default 32
   */
  maxConcurrency?: number;
  /** Most events queued. @default 10000 */
  maxQueueSize?: number;
  /** Most bytes queued (estimated). @default 16777216 */
  maxQueueBytes?: number;
  /** What to drop when the queue is full. @default 'drop-newest' */
  overflow?: 'drop-newest' | 'drop-oldest';
  /** Per-request timeout, response body included (ms, at most 2^31-1). @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Where the HTTP requests run; see {@link DeliveryMode}. A saturated app keeps its CPU with
   * `background`: what cannot be sent waits in the queue, and is dropped as `queue_full` when it
   * is full. @default 'background'
   */
  delivery?: DeliveryMode;
  /**
   * Where the delivery worker's file is, for an app bundled into one file (esbuild, webpack,
   * ncc), which leaves the worker behind: a `file:` URL or an absolute path to the file your
   * build makes from `@authentik-events/core/delivery-worker`, e.g.
   * `new URL('./delivery-worker.js', import.meta.url)`. Without it the worker is looked for
   * beside this package's own code. If it cannot be started as this version's worker, delivery
   * falls back to the app's event loop and says why once (`ERR_AUTHENTIK_EVENTS_WORKER`). Not
   * with `delivery: 'in-process'`, which has no worker. @default the file beside the package
   */
  workerUrl?: URL | string;
  retry?: RetryOptions;
  /** Largest serialised event; longer context strings are cut first. @default 65536 */
  maxEventBytes?: number;
  /** Mask secrets like authentik does; `false` turns it off. @default true */
  redact?: boolean | RedactOptions;
  /** Change an event just before it is sent; return `null`/`false` to drop it (counted as `filtered`). */
  beforeSend?: (event: WireEvent) => WireEvent | null | undefined | false;
  /** Every failure (delivery, callbacks, degraded states). Never throws into the app. */
  onError?: (error: AuthentikEventsError) => void;
  /** Every event lost, with the reason it is counted under. */
  onDrop?: (events: DroppedEvent[], reason: DropReason) => void;
}

export interface ResolvedRetry {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  maxRetryTimeMs: number;
}

export interface ResolvedClientOptions {
  /** The create endpoint, with its trailing slash. */
  endpoint: URL;
  baseUrl: URL;
  token: string;
  /** The `ca` option, one PEM certificate per entry. */
  ca: string[] | undefined;
  app: string;
  batchSize: number;
  flushIntervalMs: number;
  /** A fixed limit on requests in flight, or undefined: adaptive up to `maxConcurrency`. */
  concurrency: number | undefined;
  /** The most requests in flight ever: `concurrency` when it is set, else `maxConcurrency`. */
  maxConcurrency: number;
  maxQueueSize: number;
  maxQueueBytes: number;
  overflow: 'drop-newest' | 'drop-oldest';
  requestTimeoutMs: number;
  delivery: DeliveryMode;
  /** The `workerUrl` option as a `file:` URL; undefined: the worker beside the package's code. */
  workerUrl: URL | undefined;
  retry: ResolvedRetry;
  maxEventBytes: number;
  redact: false | { keys: string[]; except: string[] };
  beforeSend: ClientOptions['beforeSend'];
  onError: ClientOptions['onError'];
  onDrop: ClientOptions['onDrop'];
}
