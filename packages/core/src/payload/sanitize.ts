import { describeError } from '../errors.js';
import { REDACTED, type Redactor } from './redact.js';

/** How deep context is followed before a branch is replaced by a marker. */
export const DEFAULT_MAX_DEPTH = 12;
const MAX_KEYS = 1000;
const MAX_ITEMS = 1000;

export interface SanitizeOptions {
  redactor: Redactor | false;
  maxDepth?: number;
}

/** NUL characters make PostgreSQL (and so authentik) fail with a 500; lone surrogates break jsonb. */
export function cleanString(value: string): string {
  const withoutNul = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

function summariseBinary(value: ArrayBuffer | ArrayBufferView): string {
  const kind = value instanceof ArrayBuffer ? 'ArrayBuffer' : value.constructor?.name || 'Binary';
  return `[${kind} ${value.byteLength} bytes]`;
}

function unreadable(error: unknown): string {
  return `[Unreadable: ${cleanString(describeError(error)).slice(0, 200)}]`;
}

class Walker {
  private readonly seen = new Set<object>();
  constructor(
    private readonly redactor: Redactor | false,
    private readonly maxDepth: number,
  ) {}

  /** A JSON-safe copy of `value`, or `undefined` when the value has no JSON form (dropped). */
  value(value: unknown, depth: number, sensitiveKey: boolean): unknown {
    switch (typeof value) {
      case 'string':
        return sensitiveKey ? REDACTED : cleanString(value);
      case 'number':
        if (sensitiveKey) return REDACTED;
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        return sensitiveKey ? REDACTED : value;
      case 'bigint':
        return sensitiveKey ? REDACTED : value.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    // authentik masks every non-dict value under a sensitive key, None included.
    if (value === null) return sensitiveKey ? REDACTED : null;
    return this.object(value as object, depth, sensitiveKey);
  }

  private object(value: object, depth: number, sensitiveKey: boolean): unknown {
    try {
      // `instanceof` throws for a revoked Proxy; getTime/byteLength throw for look-alikes.
      if (value instanceof Date) {
        if (sensitiveKey) return REDACTED;
        return Number.isNaN(value.getTime()) ? null : value.toISOString();
      }
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
        return sensitiveKey ? REDACTED : summariseBinary(value);
      }
    } catch (error) {
      return unreadable(error);
    }
    if (this.seen.has(value)) return '[Circular]';
    if (depth >= this.maxDepth) return '[Truncated: too deep]';
    this.seen.add(value);
    try {
      if (Array.isArray(value)) return this.list(value, depth, sensitiveKey);
      if (value instanceof Set) return this.list([...value], depth, sensitiveKey);
      if (value instanceof Error) return this.error(value, depth);
      if (value instanceof Map) return this.map(value, depth);
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        return this.value(toJSON.call(value), depth + 1, sensitiveKey);
      }
      return this.record(value as Record<string, unknown>, depth);
    } catch (error) {
      // Proxies and exotic objects may throw on any access; the event is kept, this part is marked.
      return unreadable(error);
    } finally {
      this.seen.delete(value);
    }
  }

  private list(items: readonly unknown[], depth: number, sensitiveKey: boolean): unknown[] {
    const length = Math.min(items.length, MAX_ITEMS);
    const out: unknown[] = new Array(length);
    for (let i = 0; i < length; i++) {
      const item = this.value(items[i], depth + 1, sensitiveKey);
      out[i] = item === undefined ? null : item;
    }
    if (items.length > MAX_ITEMS) out.push(`[Truncated: ${items.length - MAX_ITEMS} more items]`);
    return out;
  }

  private error(error: Error, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: cleanString(String(error.name)),
      message: cleanString(String(error.message)),
    };
    if (error.cause !== undefined) {
      const cause = this.value(error.cause, depth + 1, false);
      if (cause !== undefined) out.cause = cause;
    }
    return out;
  }

  private map(map: Map<unknown, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [key, item] of map) {
      if (count++ >= MAX_KEYS) break;
      this.assign(out, typeof key === 'string' ? key : String(key), item, depth);
    }
    return out;
  }

  private record(record: Record<string, unknown>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = Object.keys(record);
    const length = Math.min(keys.length, MAX_KEYS);
    for (let i = 0; i < length; i++) {
      const key = keys[i] as string;
      let item: unknown;
      try {
        item = record[key];
      } catch (error) {
        item = `[Unreadable: ${describeError(error).slice(0, 200)}]`;
      }
      this.assign(out, key, item, depth);
    }
    if (keys.length > MAX_KEYS) out['…'] = `[Truncated: ${keys.length - MAX_KEYS} more keys]`;
    return out;
  }

  private assign(out: Record<string, unknown>, rawKey: string, item: unknown, depth: number): void {
    const key = cleanString(rawKey);
    // Assigning "__proto__" would change the copy's prototype instead of adding a key; checked
    // after cleaning, since "__proto__\u0000" becomes "__proto__" once NUL is removed.
    if (key === '__proto__') return;
    const sensitive = this.redactor !== false && this.redactor.isSensitive(key);
    const safe = this.value(item, depth + 1, sensitive);
    if (safe !== undefined) out[key] = safe;
  }
}

/**
 * A JSON-safe, redacted copy of a context/user/brand object: Dates to ISO strings, BigInt to
 * strings, Errors to `{name, message, cause}`, binary summarised, Map/Set converted, cycles
 * marked, functions and symbols dropped, NUL removed, depth and width limited, and throwing
 * getters or Proxies marked instead of thrown. Never throws.
 */
export function sanitizeRecord(
  record: Record<string, unknown>,
  options: SanitizeOptions,
): Record<string, unknown> {
  const walker = new Walker(options.redactor, options.maxDepth ?? DEFAULT_MAX_DEPTH);
  const out = walker.value(record, 0, false);
  return out !== null && typeof out === 'object' && !Array.isArray(out)
    ? (out as Record<string, unknown>)
    : { value: out ?? null };
}
