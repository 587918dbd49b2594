/**
 * Date-times the way DRF's DateTimeField reads and writes them with authentik's settings
 * (TIME_ZONE = UTC): input goes through Django's parse_datetime, output is Python's
 * isoformat() in UTC with "+00:00" written as "Z" and microseconds only when non-zero.
 */

/** A point in time with microsecond precision: JS Dates only keep milliseconds. */
export interface Instant {
  /** Milliseconds since the epoch, truncated to whole seconds. */
  secondsMs: number;
  /** 0..999999 */
  micro: number;
}

// Django's datetime_re (its fallback after datetime.fromisoformat), plus the date-only form that
// fromisoformat accepts since Python 3.11.
const DATETIME_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function validDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const max = month === 2 && !isLeap(year) ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= max;
}

/** Parses what DRF accepts; a string without offset is taken as UTC. Undefined when invalid. */
export function parseDateTime(value: unknown): Instant | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATETIME_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (tz && tz !== 'Z') {
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (tz.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear undoes that.
  const date = new Date(utc);
  date.setUTCFullYear(year);
  return {
    secondsMs: date.getTime() - offsetMinutes * 60_000,
    micro: frac ? Number(frac.padEnd(6, '0')) : 0,
  };
}

// Under load thousands of events share the same second (and the same expiry second), so the
// seconds part is cached: toISOString showed up in profiles of the fake at high rates.
const secondsCache = new Map<number, string>();

function secondsPart(secondsMs: number): string {
  let text = secondsCache.get(secondsMs);
  if (text === undefined) {
    if (secondsCache.size >= 16) secondsCache.clear();
    text = new Date(secondsMs).toISOString().slice(0, 19);
    secondsCache.set(secondsMs, text);
  }
  return text;
}

/** Formats like DRF: 2026-01-02T03:04:05.123456Z, or without fraction when it is zero. */
export function formatDateTime(instant: Instant): string {
  const base = secondsPart(instant.secondsMs);
  if (instant.micro === 0) return `${base}Z`;
  return `${base}.${String(instant.micro).padStart(6, '0')}Z`;
}

/** The current time as DRF would print an auto_now_add field. */
export function instantFromMs(ms: number): Instant {
  const rest = ms % 1000;
  return { secondsMs: ms - rest, micro: rest * 1000 };
}
