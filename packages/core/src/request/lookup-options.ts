import { ConfigError } from '../errors.js';

export interface LookupOptions {
  /** How long a found value is reused. @default 300000 */
  ttlMs?: number;
  /** How long a failed or empty lookup is remembered before it is tried again. @default 30000 */
  failureTtlMs?: number;
  /** Most entries cached. @default 1000 */
  max?: number;
}

export type ResolvedLookupOptions = Required<LookupOptions>;

/** Longer than any timer Node keeps (2^31 - 1 ms, ~24.8 days), which is also plenty for a cache. */
const MAX_TTL_MS = 2 ** 31 - 1;
/** Enough entries for any app; a bound, so a typo cannot make the cache unbounded. */
const MAX_ENTRIES = 1_000_000;

const LIMITS: Record<keyof LookupOptions, { min: number; max: number; fallback: number }> = {
  ttlMs: { min: 1, max: MAX_TTL_MS, fallback: 300_000 },
  failureTtlMs: { min: 1, max: MAX_TTL_MS, fallback: 30_000 },
  max: { min: 1, max: MAX_ENTRIES, fallback: 1000 },
};

/**
 * The lookup options (`userLookup`, `brand.lookup`), checked: a value the cache would take as
 * "no limit" (0, a negative, NaN, Infinity) or throw on is a `ConfigError` naming it.
 */
export function resolveLookupOptions(value: unknown, option: string): ResolvedLookupOptions {
  if (value === true || value === 'lookup') value = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(option, 'must be true or an object such as { ttlMs, failureTtlMs, max }');
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in LIMITS))
      throw new ConfigError(
        `${option}.${key}`,
        'is not a lookup option (ttlMs, failureTtlMs, max)',
      );
  }
  const resolved = {} as ResolvedLookupOptions;
  for (const [key, limit] of Object.entries(LIMITS) as [keyof LookupOptions, typeof LIMITS.max][]) {
    const raw = given[key];
    if (raw === undefined) {
      resolved[key] = limit.fallback;
      continue;
    }
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < limit.min || raw > limit.max)
      throw new ConfigError(
        `${option}.${key}`,
        `must be an integer from ${limit.min} to ${limit.max}, got ${typeof raw === 'number' ? raw : typeof raw}`,
      );
    resolved[key] = raw;
  }
  return resolved;
}
