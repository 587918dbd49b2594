import { RETAINED } from './retained-bytes.js';

/** Values the request-path estimate visits before it gives up and lets a bounded copy be made. */
const NODE_BUDGET = 512;
const DATE_BYTES = 48;
const LARGEST_SMALL_BIGINT = 2n ** 64n;

/**
 * An upper bound of the heap `value` keeps alive, counted without copying, or `undefined` when
 * it cannot vouch for one cheaply. It vouches only for small plain data: strings and keys of at
 * most `maxStringChars` characters (at two bytes a character), numbers, booleans, null, BigInts
 * below 2^64, Dates, arrays, and objects made by `{}` (or with no prototype), at most 512 values
 * in all (a value reached twice counts twice) and at most `maxBytes` bytes. Anything else may
 * hold memory it does not show — a Buffer or a typed array its whole ArrayBuffer, a Map or a
 * Set its entries, a function its closure, a class instance its private fields — so the caller
 * copies it into plain data instead of queueing it.
 *
 * It runs on the app's request path for every event, so it is written for speed: the class is
 * told by `constructor` (one cached property read) rather than by `Object.getPrototypeOf`.
 */
export function estimatePlainBytes(
  value: Record<string, unknown>,
  maxStringChars: number,
  maxBytes: number,
): number | undefined {
  let budget = NODE_BUDGET;
  let total = 0;
  const stack: unknown[] = [];
  try {
    // The root is the client's own `{ ...record }` snapshot: a plain object, no check needed.
    total += ownEntriesBytes(value, stack, maxStringChars) ?? Number.POSITIVE_INFINITY;
    if (total > maxBytes) return undefined;
    while (stack.length > 0) {
      if (--budget < 0) return undefined;
      const item = stack.pop();
      const type = typeof item;
      if (type === 'string') {
        const length = (item as string).length;
        if (length > maxStringChars) return undefined;
        total += RETAINED.string(length);
      } else if (type === 'object') {
        if (item === null) {
          total += RETAINED.number;
        } else if (Array.isArray(item)) {
          if (item.length > budget) return undefined;
          total += RETAINED.array + item.length * RETAINED.item;
          for (let i = 0; i < item.length; i++) stack.push(item[i]);
        } else {
          const size = plainObjectBytes(item as Record<string, unknown>, stack, maxStringChars);
          if (size === undefined || stack.length > budget) return undefined;
          total += size;
        }
      } else if (type === 'number' || type === 'boolean' || type === 'undefined') {
        total += RETAINED.number;
      } else if (type === 'bigint') {
        const big = item as bigint;
        if (big >= LARGEST_SMALL_BIGINT || big <= -LARGEST_SMALL_BIGINT) return undefined;
        total += 2 * RETAINED.number;
      } else {
        // Functions (their closures) and symbols: the copy drops them, so they are not kept.
        return undefined;
      }
    }
  } catch {
    // A throwing getter: the copy marks it.
    return undefined;
  }
  return total > maxBytes ? undefined : total;
}

/** A plain object's own size with its values pushed, or `undefined` for any other object. */
function plainObjectBytes(
  item: Record<string, unknown>,
  stack: unknown[],
  maxKeyChars: number,
): number | undefined {
  const madeBy = item.constructor;
  if (madeBy === Date) return DATE_BYTES;
  if (madeBy !== Object && madeBy !== undefined) return undefined;
  return ownEntriesBytes(item, stack, maxKeyChars);
}

/** A plain object's own size with its values pushed, or `undefined` past a limit. */
function ownEntriesBytes(
  item: Record<string, unknown>,
  stack: unknown[],
  maxKeyChars: number,
): number | undefined {
  let size = RETAINED.object;
  for (const key in item) {
    if (key.length > maxKeyChars) return undefined;
    size += RETAINED.entry(key.length);
    stack.push(item[key]);
    // A Proxy may present any number of keys: stop at the budget rather than read them all.
    if (stack.length > NODE_BUDGET) return undefined;
  }
  return size;
}
