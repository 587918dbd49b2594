import { type Instant, parseDateTime } from './datetime.js';
import { invalidChoice, MSG, surrogateCharacter } from './drf-messages.js';
import { type EventAction, isEventAction } from './event-actions.js';
import { cleanIpAddress } from './ip-address.js';
import { pythonStr } from './python-repr.js';

/** The writable fields after validation; missing optional fields are left for the store. */
export interface ValidEvent {
  user: Record<string, unknown> | undefined;
  action: EventAction;
  app: string;
  context: Record<string, unknown> | undefined;
  client_ip: string | null;
  expires: Instant | undefined;
  brand: Record<string, unknown> | undefined;
}

export type FieldErrors = Record<string, string[]>;

export type Validation = { ok: true; event: ValidEvent } | { ok: false; errors: FieldErrors };

// One lone UTF-16 surrogate: Python decodes JSON "\ud800" into a lone code point and DRF's
// ProhibitSurrogateCharacters refuses it; a proper pair is one character there.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * authentik's EventSerializer on a decoded JSON object: every field is checked and all errors
 * are collected into one body, keyed in the serializer's field order. Unknown keys and the
 * read-only `pk` and `created` are ignored. The rules are authentik's (authentik/events/api/events.py).
 */
export function validateEvent(data: Record<string, unknown>): Validation {
  const errors: FieldErrors = {};
  const user = dictField(data, 'user', errors);
  const action = actionField(data.action, errors);
  const app = appField(data.app, errors);
  const context = dictField(data, 'context', errors);
  const clientIp = clientIpField(data, errors);
  const expires = expiresField(data, errors);
  const brand = dictField(data, 'brand', errors);
  for (const _ in errors) return { ok: false, errors };
  return {
    ok: true,
    event: {
      user,
      action: action as EventAction,
      app: app as string,
      context,
      client_ip: clientIp,
      expires,
      brand,
    },
  };
}

/** authentik's JSONDictField: optional, not null, must be a JSON object. */
function dictField(
  data: Record<string, unknown>,
  name: string,
  errors: FieldErrors,
): Record<string, unknown> | undefined {
  const value = data[name];
  if (value === undefined) return undefined;
  if (value === null) errors[name] = [MSG.notNull];
  else if (typeof value !== 'object' || Array.isArray(value)) errors[name] = [MSG.notADict];
  else return value as Record<string, unknown>;
  return undefined;
}

function actionField(value: unknown, errors: FieldErrors): string | undefined {
  if (value === undefined) errors.action = [MSG.required];
  else if (value === null) errors.action = [MSG.notNull];
  else if (typeof value === 'string' && isEventAction(value)) return value;
  else errors.action = [invalidChoice(pythonStr(value))];
  return undefined;
}

/** A required CharField: trimmed, not blank, numbers coerced, no NUL or lone surrogates. */
function appField(value: unknown, errors: FieldErrors): string | undefined {
  if (value === undefined) errors.app = [MSG.required];
  else if (value === null) errors.app = [MSG.notNull];
  else if (typeof value === 'number') return String(value);
  else if (typeof value !== 'string') errors.app = [MSG.notAString];
  else {
    const trimmed = value.trim();
    if (trimmed === '') errors.app = [MSG.blank];
    else {
      const messages = characterErrors(trimmed);
      if (messages.length === 0) return trimmed;
      errors.app = messages;
    }
  }
  return undefined;
}

function characterErrors(value: string): string[] {
  const messages: string[] = [];
  if (value.includes('\0')) messages.push(MSG.nullCharacters);
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) messages.push(surrogateCharacter(surrogate[0].charCodeAt(0)));
  return messages;
}

/** Nullable IPAddressField; "" is blank (GenericIPAddressField has blank=False). */
function clientIpField(data: Record<string, unknown>, errors: FieldErrors): string | null {
  const value = data.client_ip;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && value.trim() === '') {
    errors.client_ip = [MSG.blank];
    return null;
  }
  const cleaned = typeof value === 'string' ? cleanIpAddress(value) : undefined;
  if (cleaned !== undefined) return cleaned;
  errors.client_ip = [MSG.invalidIp];
  return null;
}

function expiresField(data: Record<string, unknown>, errors: FieldErrors): Instant | undefined {
  const value = data.expires;
  if (value === undefined) return undefined;
  if (value === null) {
    errors.expires = [MSG.notNull];
    return undefined;
  }
  const parsed = parseDateTime(value);
  if (!parsed) errors.expires = [MSG.datetimeFormat];
  return parsed;
}
