import type { RequestEvents } from '@authentik-events/core';
import type { StoredEvent } from '@authentik-events/testing';

/** The action of the event each case makes bad; it goes on the wire as custom_ + `bad_input`. */
export const BAD_ACTION = 'custom_bad_input';

/**
 * Where a refused event is counted as `invalid`: refused by `emit` (which returns false), or
 * accepted and dropped when the sender prepared it (a `beforeSend` that failed).
 */
export type Refusal = 'at-emit' | 'when-sent';

/** One kind of bad input, sent through `client.emit` and through the adapters. */
export interface BadInputCase {
  name: string;
  /** What the app hands to `client.emit`; absent for adapter-only callbacks. */
  emit?: () => unknown;
  /** What a route does with `req.authentik`; default: emits BAD_ACTION with a harmless context. */
  request?: (events: RequestEvents) => unknown;
  /** Client options for both paths (misbehaving beforeSend / onError / onDrop). */
  client?: () => Record<string, unknown>;
  /** Adapter options for the adapter path only (misbehaving user / brand / context / clientIp / ignore). */
  adapter?: () => Record<string, unknown>;
  /** Set when the bad event is refused (and counted as `invalid`) instead of stored. */
  invalid?: { emit?: Refusal; request?: Refusal };
  /** How many events the adapter path emits in all (two requests plus two explicit). @default 4 */
  requestEmitted?: number;
  /** The callback whose failure must reach onError as a CallbackError (adapter path). */
  reportedCallback?: string;
  /** Checks on the stored bad event (the BAD_ACTION one), when it is stored. */
  check?: (event: StoredEvent) => void;
}

/** A case whose bad part is a context value: the same context through both paths. */
export function contextCase(
  name: string,
  make: () => unknown,
  check?: (event: StoredEvent) => void,
  invalid?: BadInputCase['invalid'],
): BadInputCase {
  return {
    name,
    emit: () => ({ action: BAD_ACTION, context: make() }),
    request: (events) => events.emit(BAD_ACTION, { context: make() as Record<string, unknown> }),
    check,
    invalid,
  };
}

/** A beforeSend that rewrites only the bad event, so the event after it goes through untouched. */
export function rewriteBadEvent(change: (event: Record<string, unknown>) => unknown) {
  return (event: { context: Record<string, unknown> }) =>
    event.context.custom_action === 'bad_input' ? change(event) : event;
}

/** A Proxy already revoked: any operation on it throws a TypeError. */
export function revokedProxy(): Record<string, unknown> {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
