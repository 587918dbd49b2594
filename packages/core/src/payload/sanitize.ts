import { isProxy } from 'node:util/types';
import { cutString, SHORTEST_CUT, uniqueCutKey } from './cut-string.js';
import { describeThrown } from './describe-thrown.js';
import { REDACTED, type Redactor } from './redact.js';
import { RETAINED } from './retained-bytes.js';

/** How deep context is followed before a branch is replaced by a marker. */
export const DEFAULT_MAX_DEPTH = 12;
/**
 * How many values one record's copy may visit in all. Bounds the time and memory of a copy
 * whatever the input: shared references (the same object under many keys, again and again
 * further down) would otherwise make the walk, and the JSON, exponential.
 */
export const DEFAULT_MAX_NODES = 5000;
const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;
const MAX_KEYS = 1000;
const MAX_ITEMS = 1000;
/** A BigInt beyond this has more than 19 728 digits; its decimal form costs more than it says. */
const BIGINT_LIMIT = 2n ** 65_536n;

export const CIRCULAR = '[Circular]';
export const TOO_DEEP = '[Truncated: too deep]';
export const TOO_MANY_VALUES = '[Truncated: too many values]';

export interface SanitizeOptions {
  redactor: Redactor | false;
  maxDepth?: number;
  /**
   * The event's byte limit. No string (value or key) is copied longer than this many
   * characters, since it could not be sent whole anyway; and once the copy's strings add up to
   * twice this, longer strings are copied cut to their first 64 characters. So a copy is never
   * far above what can be sent, however the input repeats or grows.
   */
  maxEventBytes?: number;
  /** Values visited in all; default {@link DEFAULT_MAX_NODES}. */
  maxNodes?: number;
}

export interface SanitizedRecord {
  record: Record<string, unknown>;
  /** An upper bound of the heap the copy holds (strings counted at two bytes a character). */
  retainedBytes: number;
}

/** NUL characters make PostgreSQL (and so authentik) fail with a 500; lone surrogates break jsonb. */
export function cleanString(value: string): string {
  const withoutNul = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return withoutNul.isWellFormed() ? withoutNul : withoutNul.toWellFormed();
}

function isSharedArrayBuffer(value: object): value is SharedArrayBuffer {
  return typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer;
}

function summariseBinary(value: ArrayBuffer | SharedArrayBuffer | ArrayBufferView): string {
  const kind =
    value instanceof ArrayBuffer
      ? 'ArrayBuffer'
      : isSharedArrayBuffer(value)
        ? 'SharedArrayBuffer'
        : value.constructor?.name || 'Binary';
  return `[${kind} ${value.byteLength} bytes]`;
}

/** What this copy writes where it left something out: kept as it is when copied again. */
function isTruncationMarker(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('[Truncated: ') && value.length < 100;
}

function unreadable(error: unknown): string {
  return `[Unreadable: ${cleanString(describeThrown(error).slice(0, 200))}]`;
}

/** A copy made earlier of an object, and whether it was made under a sensitive key. */
interface EarlierCopy {
  copy: unknown;
  sensitive: boolean;
}

class Walker {
  /** The objects being copied, with their position on the path from the root: cycles. */
  private readonly ancestors = new Map<object, number>();
  /** Objects copied already, whose copy can stand for them wherever they appear again. */
  private readonly copies = new Map<object, EarlierCopy>();
  /** The closest ancestor a cycle in the current subtree leads back to (its position). */
  private cycleTarget = Number.POSITIVE_INFINITY;
  private nodesLeft: number;
  private chars = 0;
  retainedBytes = 0;

  constructor(
    private readonly redactor: Redactor | false,
    private readonly maxDepth: number,
    private readonly maxChars: number,
    maxNodes: number,
  ) {
    this.nodesLeft = maxNodes;
  }

  /** A JSON-safe copy of `value`, or `undefined` when the value has no JSON form (dropped). */
  value(value: unknown, depth: number, sensitiveKey: boolean): unknown {
    this.nodesLeft--;
    switch (typeof value) {
      case 'string':
        return sensitiveKey ? this.keep(REDACTED) : this.string(value);
      case 'number':
        if (sensitiveKey) return this.keep(REDACTED);
        this.count(24, RETAINED.number);
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        if (sensitiveKey) return this.keep(REDACTED);
        this.count(5, RETAINED.number);
        return value;
      case 'bigint':
        if (sensitiveKey) return this.keep(REDACTED);
        return value > BIGINT_LIMIT || value < -BIGINT_LIMIT
          ? this.keep('[BigInt: more than 19728 digits]')
          : this.keep(value.toString());
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    // authentik masks every non-dict value under a sensitive key, None included.
    if (value === null) return sensitiveKey ? this.keep(REDACTED) : null;
    return this.object(value as object, depth, sensitiveKey);
  }

  /** `text` cut to what may still be copied, cleaned, and counted. */
  private string(text: string): string {
    const limit = this.limit();
    return this.keep(cleanString(text.length > limit ? cutString(text, limit) : text));
  }

  /** How long a string may be copied: anything once, only short ones when the budget is spent. */
  private limit(): number {
    return this.chars >= 2 * this.maxChars ? SHORTEST_CUT : this.maxChars;
  }

  /** Counts a string of the copy (it is not cut any more). */
  private keep(text: string): string {
    this.count(text.length + 2, RETAINED.string(text.length));
    return text;
  }

  private count(chars: number, retainedBytes: number): void {
    this.chars += chars;
    this.retainedBytes += retainedBytes;
  }

  private object(value: object, depth: number, sensitiveKey: boolean): unknown {
    try {
      // `instanceof` throws for a revoked Proxy; getTime/byteLength throw for look-alikes.
      if (value instanceof Date) {
        if (sensitiveKey) return this.keep(REDACTED);
        return Number.isNaN(value.getTime()) ? null : this.keep(value.toISOString());
      }
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || isSharedArrayBuffer(value)) {
        return sensitiveKey ? this.keep(REDACTED) : this.string(summariseBinary(value));
      }
      // Boxed primitives: a `new String(s)` would otherwise become one key per character.
      if (value instanceof String) return this.value(value.valueOf(), depth, sensitiveKey);
      if (value instanceof Number || value instanceof Boolean || value instanceof BigInt) {
        return this.value(value.valueOf(), depth, sensitiveKey);
      }
      if (value instanceof Symbol) return undefined;
    } catch (error) {
      return this.keep(unreadable(error));
    }
    const position = this.ancestors.get(value);
    if (position !== undefined) {
      this.cycleTarget = Math.min(this.cycleTarget, position);
      return this.keep(CIRCULAR);
    }
    if (this.nodesLeft <= 0) return this.keep(TOO_MANY_VALUES);
    const earlier = this.copies.get(value);
    // Seen before, not as an ancestor: its copy (plain JSON) is copied again instead of walking
    // the app's object again, within the same budget. A copy made under a sensitive key has
    // masked values, so it stands in only where those would be masked too.
    if (earlier && (!earlier.sensitive || sensitiveKey)) {
      return this.value(earlier.copy, depth, sensitiveKey);
    }
    if (depth >= this.maxDepth) return this.keep(TOO_DEEP);
    const at = this.ancestors.size;
    this.ancestors.set(value, at);
    const outerTarget = this.cycleTarget;
    this.cycleTarget = Number.POSITIVE_INFINITY;
    let copy: unknown;
    try {
      copy = this.container(value, depth, sensitiveKey);
    } catch (error) {
      // Proxies and exotic objects may throw on any access; the event is kept, this part is marked.
      copy = this.keep(unreadable(error));
    } finally {
      this.ancestors.delete(value);
    }
    const innerTarget = this.cycleTarget;
    this.cycleTarget = Math.min(outerTarget, innerTarget);
    // A copy whose "[Circular]" markers all lead to this object or below reads the same from
    // anywhere; one that leads further up depends on the path it was made on.
    if (innerTarget >= at) this.copies.set(value, { copy, sensitive: sensitiveKey });
    return copy;
  }

  private container(value: object, depth: number, sensitiveKey: boolean): unknown {
    if (Array.isArray(value)) return this.list(value, value.length, depth, sensitiveKey);
    if (value instanceof Set) return this.list(value, value.size, depth, sensitiveKey);
    if (value instanceof Error) return this.error(value, depth);
    if (value instanceof Map) return this.map(value, depth);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      return this.value(toJSON.call(value), depth + 1, sensitiveKey);
    }
    return this.record(value as Record<string, unknown>, depth);
  }

  private list(
    items: Iterable<unknown> | ArrayLike<unknown>,
    total: number,
    depth: number,
    sensitiveKey: boolean,
  ): unknown[] {
    this.count(2, RETAINED.array);
    const out: unknown[] = [];
    const add = (item: unknown): boolean => {
      const index = out.length;
      if (index >= MAX_ITEMS || this.nodesLeft <= 0) {
        // A copy of a copy keeps the first copy's marker rather than marking the marker.
        const marker =
          index === total - 1 && isTruncationMarker(item)
            ? item
            : `[Truncated: ${total - index} more items]`;
        out.push(this.keep(marker));
        return false;
      }
      const safe = this.value(item, depth + 1, sensitiveKey);
      this.count(1, RETAINED.item);
      out.push(safe === undefined ? null : safe);
      return true;
    };
    if (Array.isArray(items)) {
      // By index, never by iterating: a sparse array of length 2^32-1 costs only what is read.
      for (let i = 0; i < total; i++) if (!add(items[i])) break;
    } else {
      for (const item of items as Iterable<unknown>) if (!add(item)) break;
    }
    return out;
  }

  private error(error: Error, depth: number): Record<string, unknown> {
    this.count(2, RETAINED.object);
    const out: Record<string, unknown> = {
      name: this.string(String(error.name)),
      message: this.string(String(error.message)),
    };
    if (error.cause !== undefined) {
      const cause = this.value(error.cause, depth + 1, false);
      if (cause !== undefined) out.cause = cause;
    }
    return out;
  }

  private map(map: Map<unknown, unknown>, depth: number): Record<string, unknown> {
    this.count(2, RETAINED.object);
    const out: Record<string, unknown> = {};
    let count = 0;
    for (const [key, item] of map) {
      if (count >= MAX_KEYS || this.nodesLeft <= 0) {
        this.markCut(out, `[Truncated: ${map.size - count} more entries]`);
        break;
      }
      count++;
      this.assign(out, typeof key === 'string' ? key : String(key), item, depth);
    }
    return out;
  }

  private record(record: Record<string, unknown>, depth: number): Record<string, unknown> {
    this.count(2, RETAINED.object);
    const out: Record<string, unknown> = {};
    if (isProxy(record)) return this.proxyRecord(record, out, depth);
    const keys = Object.keys(record);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (i >= MAX_KEYS || this.nodesLeft <= 0) {
        const item = this.read(record, key);
        if (i === keys.length - 1 && isTruncationMarker(item)) this.markCut(out, item);
        else this.markCut(out, `[Truncated: ${keys.length - i} more keys]`);
        break;
      }
      this.assign(out, key, this.read(record, key), depth);
    }
    return out;
  }

  /**
   * A Proxy's keys by `for…in`, which asks its traps only for the keys it reaches: `Object.keys`
   * would call `getOwnPropertyDescriptor` for every key an `ownKeys` trap returns, a million
   * times for a million keys.
   */
  private proxyRecord(
    record: Record<string, unknown>,
    out: Record<string, unknown>,
    depth: number,
  ): Record<string, unknown> {
    let count = 0;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      if (count >= MAX_KEYS || this.nodesLeft <= 0) {
        this.markCut(out, '[Truncated: more keys]');
        break;
      }
      count++;
      this.assign(out, key, this.read(record, key), depth);
    }
    return out;
  }

  /** Says under "…" what was left out, without replacing a "…" key of the app's own. */
  private markCut(out: Record<string, unknown>, text: string): void {
    const key = Object.hasOwn(out, '…')
      ? uniqueCutKey('…', 1, (taken) => Object.hasOwn(out, taken))
      : '…';
    out[key] = this.keep(text);
  }

  private read(record: Record<string, unknown>, key: string): unknown {
    try {
      return record[key];
    } catch (error) {
      return unreadable(error);
    }
  }

  private assign(out: Record<string, unknown>, rawKey: string, item: unknown, depth: number): void {
    const cleaned = cleanString(rawKey);
    // Assigning "__proto__" would change the copy's prototype instead of adding a key; checked
    // after cleaning, since "__proto__\u0000" becomes "__proto__" once NUL is removed.
    if (cleaned === '__proto__') return;
    // Masking is decided on the whole key, before it may be cut.
    const sensitive = this.redactor !== false && this.redactor.isSensitive(cleaned);
    const safe = this.value(item, depth + 1, sensitive);
    if (safe === undefined) return;
    const limit = this.limit();
    const taken = (key: string) => Object.hasOwn(out, key);
    const key =
      cleaned.length > limit || taken(cleaned)
        ? uniqueCutKey(cleaned, Math.min(limit, cleaned.length), taken)
        : cleaned;
    this.count(key.length + 3, RETAINED.entry(key.length));
    out[key] = safe;
  }
}

/**
 * A JSON-safe, redacted copy of a context/user/brand object, and how much heap it holds: Dates
 * to ISO strings, BigInt to strings, Errors to `{name, message, cause}`, binary summarised,
 * Map/Set converted, cycles marked, functions and symbols dropped, NUL removed, depth, width,
 * values visited and string lengths limited, and throwing getters or Proxies marked instead of
 * thrown. Never throws; its time and memory are bounded whatever the input.
 */
export function sanitizeMeasured(
  record: Record<string, unknown>,
  options: SanitizeOptions,
): SanitizedRecord {
  const walker = new Walker(
    options.redactor,
    options.maxDepth ?? DEFAULT_MAX_DEPTH,
    options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    options.maxNodes ?? DEFAULT_MAX_NODES,
  );
  const out = walker.value(record, 0, false);
  const copy =
    out !== null && typeof out === 'object' && !Array.isArray(out)
      ? (out as Record<string, unknown>)
      : { value: out ?? null };
  boundedCopies.add(copy);
  return { record: copy, retainedBytes: walker.retainedBytes };
}

/** Copies made here, so that one made at emit is not walked (and its markers cut) again. */
const boundedCopies = new WeakSet<object>();

/** Whether `record` is a copy this module made: JSON-safe, redacted and bounded already. */
export function isBoundedCopy(record: object): boolean {
  return boundedCopies.has(record);
}

/** The copy {@link sanitizeMeasured} makes, without the measure. Never throws. */
export function sanitizeRecord(
  record: Record<string, unknown>,
  options: SanitizeOptions,
): Record<string, unknown> {
  return sanitizeMeasured(record, options).record;
}
