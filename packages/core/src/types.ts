import type { AuthentikAction, EventAction } from './actions.js';

/** authentik's own user shape in events; extra keys are kept. */
export interface AuthentikUser {
  pk?: number | string;
  username?: string;
  email?: string;
  is_anonymous?: boolean;
  [key: string]: unknown;
}

/** authentik's own brand shape in events. */
export interface AuthentikBrand {
  pk?: string;
  app?: string;
  model_name?: string;
  name?: string;
  [key: string]: unknown;
}

/** What `emit` takes. camelCase here, snake_case on the wire. */
export interface EmitInput {
  action: EventAction;
  /** Overrides the client's `app` for this event. */
  app?: string;
  user?: AuthentikUser;
  /** The client's IP; not an IP (or `::ffff:`-prefixed) is normalised, invalid becomes `null`. */
  clientIp?: string | null;
  brand?: AuthentikBrand;
  context?: Record<string, unknown>;
  /** When authentik may delete the event; default: the server's retention. */
  expires?: Date | string;
  /**
   * How the event is treated when the queue is full or the app is overloaded; see
   * {@link EventClass}. Not sent to authentik. @default 'audit'
   */
  eventClass?: EventClass;
}

/**
 * The two classes of event. `audit`: what the app emits itself (a login, a failed login, a
 * payment), `system_exception`, and anything marked so: never refused or shed to make room
 * for a request log, delivered first. `request_log`: the record of a request that `autoLog`
 * makes (`custom_http_request`), or anything marked so: shed first under overload.
 */
export const EVENT_CLASSES = ['audit', 'request_log'] as const;
export type EventClass = (typeof EVENT_CLASSES)[number];

/** The JSON body sent to `POST /api/v3/events/events/` (authentik's EventRequest). */
export interface WireEvent {
  action: AuthentikAction;
  app: string;
  user?: Record<string, unknown>;
  context: Record<string, unknown>;
  client_ip?: string | null;
  expires?: string;
  brand?: Record<string, unknown>;
}

/** Every way an event can be lost; each is a key of `stats().dropped`. */
export const DROP_REASONS = [
  'invalid',
  'filtered',
  'too_large',
  'queue_full',
  'rejected',
  'unauthorized',
  'retries_exhausted',
  'closed',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export type DropCounts = Record<DropReason, number>;

/** Counters; at every moment `emitted = queued + inFlight + delivered + sum(dropped)`. */
export interface ClientStats {
  emitted: number;
  /** Accepted events not yet taken for delivery, including those awaiting a lookup. */
  queued: number;
  queuedBytes: number;
  /** Of `queued`, the events held back until a user or brand lookup completes them. */
  awaitingLookup: number;
  /** Events taken by the sender and not settled yet (being sent, or waiting to be retried). */
  inFlight: number;
  delivered: number;
  /** Attempts that were retried (not events). */
  retried: number;
  /** Every event lost, by reason, whatever its class (the sum of `byClass`). */
  dropped: DropCounts;
  /** The same counters for each class of event (in flight: what the class's others leave). */
  byClass: Record<EventClass, ClassStats>;
  /**
   * The most requests the sender may have in flight now: `concurrency` when it is set, else the
   * adaptive limit (1..`maxConcurrency`), which moves with authentik's response times.
   */
  concurrencyLimit: number;
  /**
   * Request logs that `autoLog.sample` left out: never built, never emitted, never dropped (so
   * outside the equation above).
   */
  sampledOut: number;
}

/** A class's share of `stats()`: `emitted - queued - delivered - sum(dropped)` are in flight. */
export interface ClassStats {
  emitted: number;
  queued: number;
  delivered: number;
  dropped: DropCounts;
}

/** What happened between the start and the end of a `flush()` or `close()`. */
export interface DeliveryReport {
  delivered: number;
  retried: number;
  dropped: DropCounts;
  /** Events still queued or in flight when the call returned (0 after a complete flush). */
  pending: number;
  /** `true` when every event emitted before the call was settled (delivered or dropped). */
  complete: boolean;
  durationMs: number;
}

/** An event as `onDrop` sees it: the id, its class and what was emitted. */
export interface DroppedEvent {
  eventId: string;
  action: string;
  eventClass: EventClass;
  input: EmitInput;
}
