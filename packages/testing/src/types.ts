import type { IncomingHttpHeaders } from 'node:http';
import type { EventAction } from './event-actions.js';

/** How the fake treats a bearer token. */
export type TokenState = 'ok' | 'expired' | 'no_permission';

/** A brand as configured in the fake; missing fields get authentik's defaults. */
export interface FakeBrand {
  /** @default a random UUID */
  brand_uuid?: string;
  domain: string;
  /** @default false */
  default?: boolean;
  /** @default 'authentik' */
  branding_title?: string;
  /** @default {} */
  attributes?: Record<string, unknown>;
}

/** A user as configured in the fake; missing fields get authentik-like defaults. */
export interface FakeUser {
  /** @default 1, 2, … in the order given */
  pk?: number;
  username: string;
  /** @default '' */
  email?: string;
  /** @default the username */
  name?: string;
  /** @default true */
  is_active?: boolean;
  /** @default {} */
  attributes?: Record<string, unknown>;
}

export interface FakeAuthentikOptions {
  /** The valid API token. @default a random hex string */
  token?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Extra tokens and how they are treated; `token` is always 'ok'. */
  tokens?: { [token: string]: TokenState };
  /** @default one default brand on domain 'authentik-default' */
  brands?: FakeBrand[];
  /** @default one user 'akadmin'; the first one is the user of every token (`GET /api/v3/core/users/me/`) */
  users?: FakeUser[];
  /** What `GET /api/v3/admin/version/` answers as `version_current`. @default '2026.2.2' */
  version?: string;
  /** Suppress the stderr lines about server errors and refused bodies. @default false */
  quiet?: boolean;
  /** Request bodies above this get 413 (authentik's front server allows 32 MiB). @default 33554432 */
  maxBodyBytes?: number;
  /** How many recent requests `requests` keeps (trimmed in batches of a tenth). @default 10000 */
  maxRecordedRequests?: number;
  /** Seed for `faults.failRate`, for reproducible runs. @default random */
  seed?: number;
  /**
   * Start with a server of limited capacity (see `faults.capacity`), as authentik is. @default
   * unlimited
   */
  capacity?: CapacityOptions;
  /** Called for every stored event, after it is stored. */
  onEvent?: (event: StoredEvent) => void;
  /**
   * Serve the live event page at `/` (no token needed; refused under any Host but an IP
   * address or `localhost`). @default true when `host` is a loopback address, else false
   */
  page?: boolean;
  /** Event pages (browser tabs) connected at once; more are answered 503. @default 16 */
  maxPageClients?: number;
}

/** An event as the fake stores and returns it (authentik's Event serializer). */
export interface StoredEvent {
  pk: string;
  user: Record<string, unknown>;
  action: EventAction;
  app: string;
  context: Record<string, unknown>;
  client_ip: string | null;
  created: string;
  expires: string;
  brand: Record<string, unknown>;
}

/** One request the fake received. `status` is 0 until answered, and stays 0 for resets and hangs. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  receivedAt: number;
}

export type HostileMode = 'huge-body' | 'invalid-json' | 'slow-loris' | 'redirect' | 'hang';

/** A read of the directory (`GET` of the users or brands list) as `faults.answerReads` sees it. */
export interface DirectoryRead {
  /** The path without the query, e.g. `/api/v3/core/users/`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** What a read is answered with instead of the directory: JSON unless `body` is a string. */
export interface ReadAnswer {
  /** @default 200 */
  status?: number;
  body: unknown;
}

/**
 * Decides the answer to a directory read; `undefined` lets the directory answer. It may return a
 * promise: the read is answered when it settles (a slow server, for reads only).
 */
export type ReadAnswerer = (
  read: DirectoryRead,
) => ReadAnswer | undefined | Promise<ReadAnswer | undefined>;

/** A server of limited capacity: `workers` event POSTs served at once, each taking `serviceMs`. */
export interface CapacityOptions {
  /** Event POSTs served at once (authentik's workers). */
  workers: number;
  /** How long one takes to serve (ms); a change applies to requests a worker takes after it. */
  serviceMs: number;
  /** How many more may wait for a worker; beyond that, 503. @default 0 */
  queue?: number;
}

/** What the capacity mode did since it was turned on, or since `clear()`. */
export interface CapacityStats {
  /** Event POSTs a worker is serving now. */
  inService: number;
  /** Event POSTs waiting for a worker now. */
  waiting: number;
  /** The most that waited at once. */
  maxWaiting: number;
  /** Answered 503 because the queue was full. */
  rejected: number;
  /** Served by a worker (stored, or refused by authentik's own checks). */
  served: number;
  /** Of those, how many had to wait for a worker. */
  waited: number;
  /** The time they waited, in all (ms): over a period, divided by its length, the mean queue. */
  waitedMs: number;
  /**
   * The time workers spent serving, in all (ms): over a period, divided by its length and the
   * number of workers, how busy the server was.
   */
  busyMs: number;
}

export interface FailNextOptions {
  /** Sent as the Retry-After header (seconds or an HTTP date). */
  retryAfter?: string | number;
  /** Response body; default a JSON `{"detail": …}` naming the status. */
  body?: string;
}

export interface ResetNextOptions {
  /** Reset after the event was read and stored, so a retry makes a duplicate. @default false */
  afterBody?: boolean;
}

/**
 * Decides an injected status for an event POST from its decoded JSON body (the raw string when
 * it is not JSON); undefined lets the request through.
 */
// biome-ignore lint/suspicious/noExplicitAny: the body is whatever the client sent, and tests read fields off it directly
export type BodyPredicate = (body: any) => number | undefined;

/** Fault injection; every control is combinable and `reset()` turns all off. */
export interface FaultControls {
  failNext(n: number, status?: number, options?: FailNextOptions): void;
  failRate(fraction: number, status?: number): void;
  failWhen(predicate: BodyPredicate | null): void;
  resetNext(n: number, options?: ResetNextOptions): void;
  latency(ms: number): void;
  down(): Promise<void>;
  up(): Promise<void>;
  rateLimit(eventsPerSecond: number | null): void;
  /**
   * A server of limited capacity: at most `workers` event POSTs in service, each taking
   * `serviceMs`, up to `queue` more waiting in order, 503 beyond. Called again, it changes the
   * settings at run time (a server getting slower); `null` turns it off. See `capacityStats`.
   */
  capacity(options: CapacityOptions | null): void;
  hostile(mode: HostileMode | null): void;
  /**
   * Like `hostile`, for reads of the users and brands lists only (the lookups of a client);
   * event POSTs are answered as usual. A 'huge-body' read answers 200 with an endless JSON string.
   */
  hostileReads(mode: HostileMode | null): void;
  /** Answers reads of the users and brands lists with what `answerer` returns (null: the directory again). */
  answerReads(answerer: ReadAnswerer | null): void;
  reset(): void;
}

export interface FakeAuthentik {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  /** The live event page, `url` + `/`, or undefined when the page is off (see `page`). */
  readonly pageUrl: string | undefined;
  readonly token: string;
  /** Stored events, oldest first; a live array, emptied in place by `clear()`. */
  readonly events: StoredEvent[];
  /** The most recent requests (see `maxRecordedRequests`), oldest first; live array. */
  readonly requests: RecordedRequest[];
  /** Every request received since start or `clear()`, not capped. */
  readonly requestCount: number;
  /** Highest number of event POSTs in progress at once since start or `clear()`. */
  readonly maxConcurrent: number;
  /** Highest number of users/brands reads in progress at once since start or `clear()`. */
  readonly maxConcurrentReads: number;
  /** Users/brands reads in progress now (a read ends when its answer is sent or its connection closes). */
  readonly readsInProgress: number;
  /** The capacity mode's counters (all zero while it is off). */
  readonly capacityStats: CapacityStats;
  readonly faults: FaultControls;
  /**
   * Resolves with `events` once it holds at least n; rejects after timeoutMs (default 5000;
   * `Infinity` waits until `close()`). An n that is not an integer >= 0, or a timeoutMs that is
   * not a number >= 0, rejects at once with a RangeError that names it.
   */
  waitForEvents(n: number, timeoutMs?: number): Promise<StoredEvent[]>;
  /** Forgets events and requests and resets the counters; faults stay as they are. */
  clear(): void;
  /** Stops listening and destroys open sockets; idempotent. */
  close(): Promise<void>;
}
