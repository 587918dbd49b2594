import type { QueuedEvent } from '../queued-event.js';
import type { EventClass } from '../types.js';

/** The queue's bounds and what to drop when they are reached (`overflow`). */
export interface QueueLimits {
  maxCount: number;
  maxBytes: number;
  overflow: 'drop-newest' | 'drop-oldest';
}

/** How much a queue (or one class of its events) holds right now. */
export interface QueueLevel {
  readonly size: number;
  readonly bytes: number;
}

/** A queue the overflow policy can make room in. */
export interface EvictableQueue extends QueueLevel {
  levelOf(eventClass: EventClass): QueueLevel;
  /** Removes and returns the oldest waiting event of the class (ready before held). */
  evictOldest(eventClass: EventClass): QueuedEvent | undefined;
}

/** What becomes of a new event: it fits, it fits once older events are evicted, or it is refused. */
export type Admission = 'fits' | 'evict' | 'refuse';

const NOTHING_EVICTED: readonly QueuedEvent[] = Object.freeze([]);

/**
 * Which classes a new event may push out of a full queue, in the order they go. An audit
 * event is never refused or evicted to make room for a request log; a request log makes room
 * for an audit event even with `drop-newest`, whose "newest" is the newest of its class. With
 * `drop-oldest`, the oldest events of the new one's class go too, request logs first.
 */
function evictableBy(
  eventClass: EventClass,
  overflow: QueueLimits['overflow'],
): readonly EventClass[] {
  return EVICTABLE[overflow][eventClass];
}

const EVICTABLE: Record<QueueLimits['overflow'], Record<EventClass, readonly EventClass[]>> = {
  'drop-newest': { audit: ['request_log'], request_log: [] },
  'drop-oldest': { audit: ['request_log', 'audit'], request_log: ['request_log'] },
};

function fitsIn(size: number, bytes: number, newBytes: number, limits: QueueLimits): boolean {
  return size < limits.maxCount && bytes + newBytes <= limits.maxBytes;
}

/**
 * The overflow policy, decided in this one place: whether an event of `eventClass` and
 * `bytes` fits the queue, fits once the events it may evict are gone (all of them at most),
 * or is refused. An event larger than the whole byte bound is always refused.
 */
export function admission(
  queue: EvictableQueue,
  eventClass: EventClass,
  bytes: number,
  limits: QueueLimits,
): Admission {
  if (bytes > limits.maxBytes) return 'refuse';
  if (fitsIn(queue.size, queue.bytes, bytes, limits)) return 'fits';
  let size = queue.size;
  let queuedBytes = queue.bytes;
  for (const evictable of evictableBy(eventClass, limits.overflow)) {
    const level = queue.levelOf(evictable);
    size -= level.size;
    queuedBytes -= level.bytes;
  }
  return fitsIn(size, queuedBytes, bytes, limits) ? 'evict' : 'refuse';
}

/**
 * Makes room in `queue` for a new event as {@link admission} decides: returns the events
 * evicted (oldest first within each class, request logs before audit events), or `undefined`
 * when the event is refused, in which case nothing was evicted.
 */
export function makeRoom(
  queue: EvictableQueue,
  eventClass: EventClass,
  bytes: number,
  limits: QueueLimits,
): QueuedEvent[] | undefined {
  const decision = admission(queue, eventClass, bytes, limits);
  if (decision === 'refuse') return undefined;
  if (decision === 'fits') return NOTHING_EVICTED as QueuedEvent[];
  const evicted: QueuedEvent[] = [];
  for (const evictable of evictableBy(eventClass, limits.overflow)) {
    while (!fitsIn(queue.size, queue.bytes, bytes, limits)) {
      const oldest = queue.evictOldest(evictable);
      if (!oldest) break;
      evicted.push(oldest);
    }
  }
  return evicted;
}
