import { describeError } from '../errors.js';

/** Enough of a thrown value's text to say what went wrong, not to carry its payload. */
const LONGEST_DESCRIPTION = 500;

/**
 * `describeError` for whatever app code threw, made total: a revoked Proxy makes `instanceof`
 * throw, a getter on `message` may throw, and a message may be megabytes long. Never throws.
 */
export function describeThrown(error: unknown): string {
  let text: string;
  try {
    text = describeError(error);
  } catch {
    return 'unprintable error';
  }
  return text.length > LONGEST_DESCRIPTION ? `${text.slice(0, LONGEST_DESCRIPTION)}…` : text;
}
