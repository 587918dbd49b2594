import { checkAction } from './actions.js';
import type { EmitInput } from './types.js';

function isPlainRecord(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A value as a refusal quotes it: short, and never the app's object itself. */
function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}

/**
 * What `emit` checks on the request path: only what is cheap and would make authentik refuse
 * the whole event. Returns why the event is refused, or `undefined`. The rest of the payload
 * is made safe by the sender, off the request path.
 */
export function checkEmitInput(input: EmitInput): string | undefined {
  if (!isPlainRecord(input)) return 'emit() takes an event object ({ action, ... })';
  const actionProblem = checkAction(input.action);
  if (actionProblem) return actionProblem;
  if (
    input.app !== undefined &&
    (typeof input.app !== 'string' ||
      input.app.trim() === '' ||
      input.app.includes('\u0000') ||
      !input.app.isWellFormed())
  ) {
    return 'app must be a non-blank string without NUL characters or lone surrogates';
  }
  for (const field of ['user', 'brand', 'context'] as const) {
    if (input[field] !== undefined && !isPlainRecord(input[field])) {
      return `${field} must be an object (authentik refuses ${input[field] === null ? 'null' : typeof input[field]})`;
    }
  }
  if (
    input.eventClass !== undefined &&
    input.eventClass !== 'audit' &&
    input.eventClass !== 'request_log'
  ) {
    return `eventClass must be 'audit' or 'request_log' (or left out for 'audit'), got ${describeValue(input.eventClass)}`;
  }
  if (input.expires !== undefined) {
    const time =
      input.expires instanceof Date
        ? input.expires.getTime()
        : typeof input.expires === 'string'
          ? Date.parse(input.expires)
          : Number.NaN;
    if (Number.isNaN(time)) return 'expires must be a valid Date or ISO-8601 date-time string';
    // authentik stores it in a Python datetime: years 1 to 9999 only (and ISO strings of other
    // years have six digits and a sign, which its parser refuses).
    const year = new Date(time).getUTCFullYear();
    if (year < 1 || year > 9999) return 'expires must be a date between the years 1 and 9999';
  }
  return undefined;
}
