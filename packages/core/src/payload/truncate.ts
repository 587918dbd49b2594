/** The marker appended to a string that was cut to fit `maxEventBytes`. */
export const TRUNCATION_MARKER = '…[truncated]';
const SHORTEST_CUT = 64;
/** The marker's size in UTF-8 ("…" is 3 bytes): what a cut must make room for. */
const MARKER_BYTES = Buffer.byteLength(TRUNCATION_MARKER);

interface StringSlot {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  length: number;
}

function collectStrings(value: unknown, slots: StringSlot[]): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === 'string') slots.push({ holder: value, key: i, length: item.length });
      else if (item !== null && typeof item === 'object') collectStrings(item, slots);
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (typeof item === 'string') slots.push({ holder: record, key, length: item.length });
    else if (item !== null && typeof item === 'object') collectStrings(item, slots);
  }
}

/**
 * Serialises `event`, cutting the longest strings of `event.context` first until it fits in
 * `maxBytes`. Returns the JSON, or `undefined` when even cut strings do not make it fit. The
 * context must already be a JSON-safe copy (it is modified in place).
 */
export function serializeWithin(
  event: { context: Record<string, unknown> },
  maxBytes: number,
): string | undefined {
  let json = JSON.stringify(event);
  // A JSON string is at most 6 bytes per character in UTF-8 terms; a fast path for the common case.
  if (json.length * 3 <= maxBytes) return json;
  let bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return json;

  const slots: StringSlot[] = [];
  collectStrings(event.context, slots);
  slots.sort((a, b) => b.length - a.length);
  for (const slot of slots) {
    if (slot.length <= SHORTEST_CUT) break;
    const excess = bytes - maxBytes;
    const current = (slot.holder as Record<string | number, string>)[slot.key] as string;
    // Cut by characters; the byte count is rechecked after each cut, so multibyte text is safe.
    const keep = Math.max(SHORTEST_CUT, current.length - excess - MARKER_BYTES);
    (slot.holder as Record<string | number, unknown>)[slot.key] =
      current.slice(0, keep).toWellFormed() + TRUNCATION_MARKER;
    json = JSON.stringify(event);
    bytes = Buffer.byteLength(json);
    if (bytes <= maxBytes) return json;
  }
  return undefined;
}
