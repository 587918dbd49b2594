import { isProxy } from 'node:util/types';
import { RETAINED } from './retained-bytes.js';

/** Values the request-path estimate visits before it gives up and lets a bounded copy be made. */
const NODE_BUDGET = 512;
const DATE_BYTES = 48;
const LARGEST_SMALL_BIGINT = 2n ** 64n;

/**
 * An upper bound of the heap `value` keeps alive, counted without copying, or `undefined` when
 * it cannot vouch for one cheaply. It vouches only for small plain data: strings of at most
 * `maxStringChars` characters (at two bytes a character), numbers, booleans, null, BigInts
 * below 2^64, Dates, and objects and arrays whose prototype is Object's or Array's (or none),
 * at most 512 values in all (a value reached twice counts twice) and at most `maxBytes` bytes.
 * Anything else may hold memory it does not show — a Buffer or a typed array its whole
 * ArrayBuffer, a Map or a Set its entries, a function its closure, a class instance its private
 * fields, a Proxy its target — so the caller copies it into plain data instead of queueing it.
 */
export function estimatePlainBytes(
  value: unknown,
  maxStringChars: number,
  maxBytes: number,
): number | undefined {
  let budget = NODE_BUDGET;
  let total = 0;
  const stack: unknown[] = [value];
  try {
    while (stack.length > 0) {
      if (--budget < 0) return undefined;
      const item = stack.pop();
      switch (typeof item) {
        case 'string':
          if (item.length > maxStringChars) return undefined;
          total += RETAINED.string(item.length);
          break;
        case 'number':
        case 'boolean':
        case 'undefined':
          total += RETAINED.number;
          break;
        case 'bigint':
          if (item >= LARGEST_SMALL_BIGINT || item <= -LARGEST_SMALL_BIGINT) return undefined;
          total += 2 * RETAINED.number;
          break;
        case 'object': {
          if (item === null) {
            total += RETAINED.number;
            break;
          }
          const size = pushPlainChildren(item, stack, budget, maxStringChars);
          if (size === undefined) return undefined;
          total += size;
          break;
        }
        default:
          // Functions (their closures) and symbols: copied, so they are not kept.
          return undefined;
      }
      if (total > maxBytes) return undefined;
    }
  } catch {
    // A throwing getter: the copy marks it.
    return undefined;
  }
  return total;
}

/** The object's own size, its children pushed; `undefined` for what is not plain data. */
function pushPlainChildren(
  item: object,
  stack: unknown[],
  budget: number,
  maxKeyChars: number,
): number | undefined {
  if (isProxy(item)) return undefined;
  const prototype = Object.getPrototypeOf(item);
  if (prototype === Array.prototype) {
    const list = item as unknown[];
    if (list.length > budget) return undefined;
    for (let i = 0; i < list.length; i++) stack.push(list[i]);
    return RETAINED.array + list.length * RETAINED.item;
  }
  if (prototype === Object.prototype || prototype === null) {
    let size = RETAINED.object;
    for (const key in item) {
      if (key.length > maxKeyChars) return undefined;
      size += RETAINED.entry(key.length);
      stack.push((item as Record<string, unknown>)[key]);
      if (stack.length > budget) return undefined;
    }
    return size;
  }
  if (prototype === Date.prototype) return DATE_BYTES;
  return undefined;
}
