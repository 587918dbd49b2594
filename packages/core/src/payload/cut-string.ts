/** The marker appended to a string (value or key) that was cut to fit `maxEventBytes`. */
export const TRUNCATION_MARKER = '…[truncated]';

/**
 * Strings of at most this many characters are kept whole while anything longer can still be
 * cut; only the last resort of fitting an event cuts them.
 */
export const SHORTEST_CUT = 64;

/**
 * The first `keep` characters of `text` with the marker appended, as a string of its own.
 * `slice` makes a view that keeps the whole original alive (a 64-character cut of a 10 MB
 * string would hold the 10 MB); reading a character of the concatenation makes V8 copy it into
 * a new flat string, so the cut holds only what it shows.
 */
export function cutString(text: string, keep: number): string {
  const cut = `${text.slice(0, Math.max(0, keep)).toWellFormed()}${TRUNCATION_MARKER}`;
  cut.charCodeAt(0);
  return cut;
}

/**
 * A cut key that does not collide with a key the object already has: two long keys that share
 * their first characters would otherwise become one, and one value would be lost.
 */
export function uniqueCutKey(key: string, keep: number, taken: (key: string) => boolean): string {
  const base = cutString(key, keep);
  let cut = base;
  // "…[truncated 2]", "…[truncated 3]": ends in a marker still, and at most one try per key.
  for (let n = 2; taken(cut); n++) cut = `${base.slice(0, -1)} ${n}]`;
  return cut;
}
