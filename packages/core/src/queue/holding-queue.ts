import { classOf, type QueuedEvent } from '../queued-event.js';
import type { EventClass } from '../types.js';
import type { AddResult, EventStore } from './event-store.js';
import {
  admission,
  type EvictableQueue,
  makeRoom,
  type QueueLevel,
  type QueueLimits,
} from './overflow-policy.js';

const REFUSED: AddResult = Object.freeze({ accepted: false, evicted: [] }) as AddResult;

/** The events of one class held for a lookup, in hold order (the first is the oldest). */
class HeldEvents implements QueueLevel {
  readonly events = new Set<QueuedEvent>();
  bytes = 0;

  get size(): number {
    return this.events.size;
  }
}

/**
 * The client's queue: the store of events ready to send, plus events held back until a lookup
 * (a user's pk, a brand) completes them. Held events are accepted events like any other, of
 * either class: they count against `maxQueueSize`/`maxQueueBytes` and are `queued` in
 * `stats()`, so a slow lookup server cannot make the app keep more than the queue's bounds.
 * Only ready events can be taken by the sender; the store never sees a held one.
 *
 * When full, the overflow policy (`overflow-policy.ts`) decides over ready and held events
 * together; within a class, ready events are evicted first (oldest first), then held ones.
 */
export class HoldingQueue implements EvictableQueue {
  private readonly held: Record<EventClass, HeldEvents> = {
    audit: new HeldEvents(),
    request_log: new HeldEvents(),
  };
  private noneHeldWaiters: Array<() => void> = [];

  constructor(
    private readonly ready: EventStore,
    private readonly limits: QueueLimits,
  ) {}

  /** Every accepted event not yet taken: ready and held. */
  get size(): number {
    return this.ready.size + this.heldCount;
  }

  get bytes(): number {
    return this.ready.bytes + this.held.audit.bytes + this.held.request_log.bytes;
  }

  /** Of `size`, the events held back for a lookup. */
  get heldCount(): number {
    return this.held.audit.size + this.held.request_log.size;
  }

  /** Of `size` and `bytes`, the events of one class, ready and held. */
  levelOf(eventClass: EventClass): QueueLevel {
    const ready = this.ready.levelOf(eventClass);
    const held = this.held[eventClass];
    return { size: ready.size + held.size, bytes: ready.bytes + held.bytes };
  }

  /**
   * Whether an event of `eventClass` would be refused whatever it holds, being at least
   * `smallestBytes`: the shedding of an event before it is even built.
   */
  refusesAny(eventClass: EventClass, smallestBytes: number): boolean {
    return admission(this, eventClass, smallestBytes, this.limits) === 'refuse';
  }

  /** Accepts an event ready to send, within the bounds of ready and held events together. */
  add(event: QueuedEvent): AddResult {
    const evicted = makeRoom(this, classOf(event), event.bytes, this.limits);
    if (!evicted) return REFUSED;
    // The ready store is bounded like the whole queue, which now has room: it evicts nothing.
    const placed = this.ready.add(event);
    return { accepted: placed.accepted, evicted };
  }

  /** Accepts an event to hold until `complete`, within the same bounds. */
  hold(event: QueuedEvent): AddResult {
    const eventClass = classOf(event);
    const evicted = makeRoom(this, eventClass, event.bytes, this.limits);
    if (!evicted) return REFUSED;
    const held = this.held[eventClass];
    held.events.add(event);
    held.bytes += event.bytes;
    return { accepted: true, evicted };
  }

  isHeld(event: QueuedEvent): boolean {
    return this.held[classOf(event)].events.has(event);
  }

  /**
   * Makes a held event ready, as `completed` (same id, seq and class, at most the held event's
   * bytes, so it fits in the place the held one had). `false` when it is no longer held (it
   * was evicted or the client closed) or the store refused it.
   */
  complete(heldEvent: QueuedEvent, completed: QueuedEvent): boolean {
    if (!this.release(heldEvent)) return false;
    return this.ready.add(completed).accepted;
  }

  /** The oldest event of a class, ready before held; removed. */
  evictOldest(eventClass: EventClass): QueuedEvent | undefined {
    const ready = this.ready.evictOldest(eventClass);
    if (ready) return ready;
    for (const oldest of this.held[eventClass].events) {
      this.release(oldest);
      return oldest;
    }
    return undefined;
  }

  /** Resolves once no event is held (at once when none is). */
  whenNoneHeld(): Promise<void> {
    if (this.heldCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.noneHeldWaiters.push(resolve));
  }

  /** The held events, audit events first, each class oldest first (a snapshot: completing them while iterating is safe). */
  heldEvents(): QueuedEvent[] {
    return [...this.held.audit.events, ...this.held.request_log.events];
  }

  private release(heldEvent: QueuedEvent): boolean {
    const held = this.held[classOf(heldEvent)];
    if (!held.events.delete(heldEvent)) return false;
    held.bytes -= heldEvent.bytes;
    if (this.heldCount === 0) for (const resolve of this.noneHeldWaiters.splice(0)) resolve();
    return true;
  }
}
