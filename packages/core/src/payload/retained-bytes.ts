/**
 * Generous per-value heap costs in V8, for the queue's byte bound: what an event in the queue
 * may keep alive. Strings count two bytes a character (V8 stores a string with any character
 * above U+00FF in UTF-16), so a count is an upper bound whatever the text.
 */
export const RETAINED = {
  /** A heap number or a boolean's slot. */
  number: 16,
  /** An array's header; each item adds `item`. */
  array: 32,
  item: 8,
  /** An object's header and hidden class share; each key adds `entry`. */
  object: 64,
  /** A property: its slot in a dictionary (key, value, details) and the key string. */
  entry: (keyLength: number): number => 32 + 16 + 2 * keyLength,
  string: (length: number): number => 16 + 2 * length,
} as const;
