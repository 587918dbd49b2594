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
 * Above this, a record's estimate is more than its bounded copy could hold (the copy keeps
 * strings to about twice maxEventBytes characters, at two bytes each).
 */
const COPY_ABOVE_EVENT_BYTES = 4;

const RECORDS = ['context', 'user', 'brand'] as const;

function stringBytes(value: unknown): number {
  return typeof value === 'string' ? RETAINED.string(value.length) : RETAINED.number;
}

/**
 * The bytes a queued event may keep alive, for `maxQueueBytes`, on the request path. A small
 * event of plain data is counted as it is, without copying (the common case: a few hundred
 * nanoseconds). A record the count cannot vouch for (binary, Map, Set, class instances,
 * functions, Proxies, strings or keys longer than maxEventBytes, more than 512 values, shared
 * references) is replaced in `snapshot` by its sanitised, redacted, bounded copy, so the queue
 * never holds app data it has not counted; strings longer than maxEventBytes are cut (they could
 * not be sent whole anyway). `snapshot` must be the client's own shallow copy of the input.
 */
export function boundQueuedEvent(snapshot: EmitInput, settings: BoundSettings): number {
  const { maxEventBytes } = settings;
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
  let bytes =
    stringBytes(snapshot.action) +
    stringBytes(snapshot.app) +
    stringBytes(snapshot.clientIp) +
    stringBytes(snapshot.expires);
  for (const field of RECORDS) {
    const record = snapshot[field];
    if (record === undefined) continue;
    const estimate = estimatePlainBytes(
      record,
      maxEventBytes,
      COPY_ABOVE_EVENT_BYTES * maxEventBytes,
    );
    if (estimate !== undefined) {
      bytes += estimate;
      continue;
    }
    const copy = sanitizeMeasured(record, settings);
    snapshot[field] = copy.record;
    bytes += copy.retainedBytes;
  }
  return bytes;
}
