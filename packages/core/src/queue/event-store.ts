import type { QueuedEvent } from '../queued-event.js';
import type { EventClass } from '../types.js';

/** What `add` did: accepted, or refused/evicted events the caller must count as `queue_full`. */
export interface AddResult {
  accepted: boolean;
  /** Events pushed out to make room (request logs for an audit event, or `drop-oldest`), already removed from the store. */
  evicted: QueuedEvent[];
}

/**
 * Where accepted events wait for the sender. The in-memory store is the only one built; a
 * durable (file, SQLite) or shared (Redis Streams, NATS JetStream) store can implement this
 * later without the sender or the adapters changing.
 */
export interface EventStore {
  /** Accept an event, or refuse it / evict older ones according to the store's bounds. */
  add(event: QueuedEvent): AddResult;
  /**
   * Take up to `max` events, audit events first, each class oldest first; they are in flight
   * until acknowledged or given back.
   */
  take(max: number): QueuedEvent[];
  /** Taken events that are settled (delivered or dropped) and may be forgotten. */
  acknowledge(events: readonly QueuedEvent[]): void;
  /** Taken events that were not settled (e.g. on close): put back at the front, in order. */
  giveBack(events: readonly QueuedEvent[]): void;
  /** Remove and return everything still waiting. */
  drain(): QueuedEvent[];
  /** Remove and return the oldest waiting event of a class (to make room), if any. */
  evictOldest(eventClass: EventClass): QueuedEvent | undefined;
  /** How many events of a class wait, and their bytes. */
  levelOf(eventClass: EventClass): { readonly size: number; readonly bytes: number };
  readonly size: number;
  readonly bytes: number;
}
