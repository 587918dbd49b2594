import { toWireAction } from '../actions.js';
import { CallbackError } from '../errors.js';
import type { QueuedEvent } from '../queued-event.js';
import type { DropReason, WireEvent } from '../types.js';
import { wireEventSchema } from '../wire-schema.js';
import { describeThrown } from './describe-thrown.js';
import { normalizeIp } from './ip.js';
import type { Redactor } from './redact.js';
import { cleanString, isBoundedCopy, sanitizeRecord } from './sanitize.js';
import { serializeWithin } from './truncate.js';

export interface PrepareSettings {
  app: string;
  maxEventBytes: number;
  redactor: Redactor | false;
  beforeSend: ((event: WireEvent) => WireEvent | null | undefined | false) | undefined;
}

export type Prepared =
  | { ok: true; body: string }
  | { ok: false; reason: DropReason; message: string; error?: unknown };

function toIsoDate(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** The wire event for a queued one: sanitised, redacted, with `event_id` and the custom action. */
export function buildWireEvent(event: QueuedEvent, settings: PrepareSettings): WireEvent {
  const { input } = event;
  const sanitize = { redactor: settings.redactor, maxEventBytes: settings.maxEventBytes };
  const { action, customName } = toWireAction(input.action);
  // A record copied at emit (too large or too exotic to queue as it was) is already safe:
  // walking it again would cut its own truncation markers.
  const safe = (record: Record<string, unknown>) =>
    isBoundedCopy(record) ? record : sanitizeRecord(record, sanitize);
  const context = input.context ? safe(input.context) : {};
  context.event_id = event.id;
  // Cleaned like every other string: a NUL makes authentik fail with a 500, a lone surrogate
  // makes it refuse the event.
  if (customName !== undefined) context.custom_action = cleanString(customName);
  const wire: WireEvent = { action, app: cleanString(input.app ?? settings.app), context };
  if (input.user) wire.user = safe(input.user);
  if (input.brand) wire.brand = safe(input.brand);
  if (input.clientIp !== undefined) wire.client_ip = normalizeIp(input.clientIp);
  if (input.expires !== undefined) wire.expires = toIsoDate(input.expires);
  return wire;
}

function applyBeforeSend(
  wire: WireEvent,
  settings: PrepareSettings,
): { wire: WireEvent } | Extract<Prepared, { ok: false }> {
  let result: ReturnType<NonNullable<PrepareSettings['beforeSend']>>;
  try {
    result = settings.beforeSend?.(wire);
  } catch (error) {
    const message = `beforeSend threw: ${describeThrown(error)}`;
    return {
      ok: false,
      reason: 'invalid',
      message,
      error: new CallbackError('beforeSend', message, error),
    };
  }
  if (result === null || result === false) {
    return { ok: false, reason: 'filtered', message: 'beforeSend dropped the event' };
  }
  let checked: ReturnType<typeof wireEventSchema.safeParse>;
  try {
    checked = wireEventSchema.safeParse(result ?? wire);
  } catch (error) {
    // A returned object whose getters (or Proxy traps) throw.
    const message = `beforeSend returned an event that cannot be read: ${describeThrown(error)}`;
    return {
      ok: false,
      reason: 'invalid',
      message,
      error: new CallbackError('beforeSend', message, error),
    };
  }
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const message = `beforeSend returned an event authentik would refuse: ${issue?.path.join('.') || 'event'}: ${issue?.message}`;
    return {
      ok: false,
      reason: 'invalid',
      message,
      error: new CallbackError('beforeSend', message),
    };
  }
  // Only the fields authentik knows: an extra top-level key (a BigInt, a cycle) would make
  // JSON.stringify throw, and the server ignores unknown keys anyway.
  const changed: WireEvent = checked.data;
  // The hook may have added values that are not JSON-safe, shared or huge; clean and bound
  // again (no second redaction).
  const again = { redactor: false as const, maxEventBytes: settings.maxEventBytes };
  const clean: WireEvent = {
    ...changed,
    app: cleanString(changed.app),
    context: sanitizeRecord(changed.context, again),
  };
  if (changed.user) clean.user = sanitizeRecord(changed.user, again);
  if (changed.brand) clean.brand = sanitizeRecord(changed.brand, again);
  return { wire: clean };
}

/**
 * Turns a queued event into the request body, once: sanitising, redaction, `beforeSend` and
 * the `maxEventBytes` limit happen here, off the request path. Never throws.
 */
export function prepareEvent(event: QueuedEvent, settings: PrepareSettings): Prepared {
  let wire: WireEvent;
  try {
    wire = buildWireEvent(event, settings);
  } catch (error) {
    return {
      ok: false,
      reason: 'invalid',
      message: `event could not be built: ${describeThrown(error)}`,
      error,
    };
  }
  if (settings.beforeSend) {
    const result = applyBeforeSend(wire, settings);
    if (!('wire' in result)) return result;
    wire = result.wire;
  }
  const body = serializeWithin(wire, settings.maxEventBytes);
  if (body === undefined) {
    return {
      ok: false,
      reason: 'too_large',
      message: `event is larger than maxEventBytes (${settings.maxEventBytes}) even with its strings cut and its records emptied`,
    };
  }
  return { ok: true, body };
}
