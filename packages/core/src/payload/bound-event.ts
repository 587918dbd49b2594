import type { EmitInput } from '../types.js';
import { cutString } from './cut-string.js';
import { estimatePlainBytes } from './estimate-size.js';
import type { Redactor } from './redact.js';
import { RETAINED } from './retained-bytes.js';
import { sanitizeMeasured } from './sanitize.js';

export interface BoundSettings {
  maxEventBytes: number;
  redactor: Redactor | false;
}

/** An address is at most 45 characters; normalizeIp turns anything above 64 into null. */
const LONGEST_IP = 64;
/**
 * Above this many times maxEventBytes, a record's estimate is more than its bounded copy could
 * hold (the copy keeps strings to about twice maxEventBytes characters, at two bytes each).
 */
const COPY_ABOVE = 4;

type RecordField = 'context' | 'user' | 'brand';

function stringBytes(value: unknown): number {
  return typeof value === 'string' ? RETAINED.string(value.length) : RETAINED.number;
}

/** Cuts what cannot be sent whole anyway; the strings the event carries besides its records. */
function boundStrings(snapshot: EmitInput, maxEventBytes: number): number {
  if (snapshot.action.length > maxEventBytes) {
    snapshot.action = cutString(snapshot.action, maxEventBytes) as EmitInput['action'];
  }
  if (typeof snapshot.app === 'string' && snapshot.app.length > maxEventBytes) {
    snapshot.app = cutString(snapshot.app, maxEventBytes);
  }
  if (typeof snapshot.clientIp === 'string' && snapshot.clientIp.length > LONGEST_IP) {
    snapshot.clientIp = null;
  }
  if (typeof snapshot.expires === 'string' && snapshot.expires.length > LONGEST_IP) {
    // Date.parse accepted it at emit (it skips parenthesised comments): keep the date only.
    snapshot.expires = new Date(snapshot.expires);
  }
  return (
    stringBytes(snapshot.action) +
    stringBytes(snapshot.app) +
    stringBytes(snapshot.clientIp) +
    stringBytes(snapshot.expires)
  );
}

/** Replaces a record the estimate cannot vouch for by its bounded copy; the copy's bytes. */
function copyRecord(snapshot: EmitInput, field: RecordField, settings: BoundSettings): number {
  const copy = sanitizeMeasured(snapshot[field] as Record<string, unknown>, settings);
  snapshot[field] = copy.record;
  return copy.retainedBytes;
}

/**
 * The bytes a queued event may keep alive, for `maxQueueBytes`, on the request path. A small
 * event of plain data is counted as it is, without copying (the common case). A record the
 * count cannot vouch for (binary, Map, Set, class instances, functions, strings or keys longer
 * than maxEventBytes, more than 512 values) is replaced in `snapshot` by its sanitised,
 * redacted, bounded copy, so the queue never holds app data it has not counted; strings longer
 * than maxEventBytes are cut, as they could not be sent whole anyway. `snapshot` must be the
 * client's own shallow copy of the input.
 */
export function boundQueuedEvent(snapshot: EmitInput, settings: BoundSettings): number {
  const { maxEventBytes } = settings;
  const most = COPY_ABOVE * maxEventBytes;
  let bytes = boundStrings(snapshot, maxEventBytes);
  const { context, user, brand } = snapshot;
  if (context !== undefined) {
    bytes +=
      estimatePlainBytes(context, maxEventBytes, most) ?? copyRecord(snapshot, 'context', settings);
  }
  if (user !== undefined) {
    bytes +=
      estimatePlainBytes(user, maxEventBytes, most) ?? copyRecord(snapshot, 'user', settings);
  }
  if (brand !== undefined) {
    bytes +=
      estimatePlainBytes(brand, maxEventBytes, most) ?? copyRecord(snapshot, 'brand', settings);
  }
  return bytes;
}
