import { inspect } from 'node:util';
import type { TextMask } from './token-mask.js';

/** How deep a cause chain is followed; a longer one is cut (its end is replaced by a note). */
const MAX_DEPTH = 8;

/** Whether an error still shows the token after masking (it could not be changed: frozen). */
function stillShows(error: Error, mask: TextMask): boolean {
  const { message, stack } = error;
  return mask(String(message)) !== String(message) || mask(String(stack)) !== String(stack);
}

/** A masked stand-in for an error that cannot be changed. */
function substitute(error: Error, mask: TextMask): Error {
  const copy = new Error(mask(String(error.message)));
  copy.name = String(error.name);
  copy.stack = mask(String(error.stack));
  return copy;
}

function maskedValue(value: unknown, mask: TextMask, depth: number, seen: Set<object>): unknown {
  if (typeof value === 'string') return mask(value);
  if (value === null || typeof value !== 'object') return value;
  if (!(value instanceof Error)) {
    // A plain object (a cause that is not an Error, headers kept on an error): shown by
    // util.inspect, so replaced by its masked rendering when that shows the token.
    const shown = inspect(value, { depth: 6, breakLength: Number.POSITIVE_INFINITY });
    const masked = mask(shown);
    return masked === shown ? value : masked;
  }
  const masked = maskError(value, mask, depth + 1, seen);
  return stillShows(masked, mask) ? substitute(masked, mask) : masked;
}

/**
 * Masks the token in an error before it leaves the client: its message, its stack (written
 * when it was made, so it holds the original message), every own string property, and the same
 * for its `cause` chain and an AggregateError's `errors`. Changed in place where the error
 * allows it; a property that cannot be changed (a frozen error from elsewhere) is replaced on
 * the parent, so no path from the error handed out reaches the unmasked text. Never throws.
 */
export function maskError<T extends Error>(
  error: T,
  mask: TextMask,
  depth = 0,
  seen = new Set<object>(),
): T {
  if (seen.has(error)) return error;
  seen.add(error);
  let names: string[];
  try {
    names = Object.getOwnPropertyNames(error);
  } catch {
    return error;
  }
  for (const name of names) {
    try {
      const descriptor = Object.getOwnPropertyDescriptor(error, name);
      if (!descriptor || !('value' in descriptor)) continue;
      let value: unknown = descriptor.value;
      if (depth >= MAX_DEPTH && value instanceof Error) value = 'an error cause chain cut here';
      else if (name === 'errors' && Array.isArray(value))
        value = value.map((inner) => maskedValue(inner, mask, depth, seen));
      else value = maskedValue(value, mask, depth, seen);
      if (value === descriptor.value) continue;
      if (descriptor.writable) Reflect.set(error, name, value);
      else if (descriptor.configurable)
        Object.defineProperty(error, name, { ...descriptor, value });
    } catch {
      // A property that cannot be read or written is left; the message is what is printed.
    }
  }
  return error;
}
