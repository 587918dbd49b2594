import type { QueuedEvent } from '../queued-event.js';
import type { AddResult, EventStore } from './event-store.js';

export interface QueueLimits {
  maxCount: number;
  maxBytes: number;
  overflow: 'drop-newest' | 'drop-oldest';
}

const REFUSED: AddResult = Object.freeze({ accepted: false, evicted: [] }) as AddResult;

/**
 * The client's queue: the store of events ready to send, plus events held back until a lookup
 * (a user's pk, a brand) completes them. Held events are accepted events like any other: they
 * count against `maxQueueSize`/`maxQueueBytes` and are `queued` in `stats()`, so a slow lookup
 * server cannot make the app keep more than the queue's bounds. Only ready events can be taken
 * by the sender; the store never sees a held one.
 *
 * Overflow `drop-oldest` evicts ready events first (oldest first), then held ones.
 */
export class HoldingQueue {
  /** Insertion order is hold order, so the first is the oldest. */
  private readonly held = new Set<QueuedEvent>();
  private heldBytes = 0;
  private noneHeldWaiters: Array<() => void> = [];

  constructor(
    private readonly ready: EventStore,
    private readonly limits: QueueLimits,
  ) {}

  /** Every accepted event not yet taken: ready and held. */
  get size(): number {
    return this.ready.size + this.held.size;
  }

  get bytes(): number {
    return this.ready.bytes + this.heldBytes;
  }

  /** Of `size`, the events held back for a lookup. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Accepts an event ready to send, within the bounds of ready and held events together. */
  add(event: QueuedEvent): AddResult {
    return this.admit(event, () => this.ready.add(event));
  }

  /** Accepts an event to hold until `complete`, within the same bounds. */
  hold(event: QueuedEvent): AddResult {
    return this.admit(event, () => {
      this.held.add(event);
      this.heldBytes += event.bytes;
      return { accepted: true, evicted: [] };
    });
  }

  isHeld(event: QueuedEvent): boolean {
    return this.held.has(event);
  }

  /**
   * Makes a held event ready, as `completed` (same id and seq, at most the held event's
   * bytes, so it fits in the place the held one had). `false` when it is no longer held (it
   * was evicted or the client closed) or the store refused it.
   */
  complete(heldEvent: QueuedEvent, completed: QueuedEvent): boolean {
    if (!this.release(heldEvent)) return false;
    return this.ready.add(completed).accepted;
  }

  /** Resolves once no event is held (at once when none is). */
  whenNoneHeld(): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.noneHeldWaiters.push(resolve));
  }

  /** The held events, oldest first (a snapshot: completing them while iterating is safe). */
  heldEvents(): QueuedEvent[] {
    return [...this.held];
  }

  private release(heldEvent: QueuedEvent): boolean {
    if (!this.held.delete(heldEvent)) return false;
    this.heldBytes -= heldEvent.bytes;
    if (this.held.size === 0) for (const resolve of this.noneHeldWaiters.splice(0)) resolve();
    return true;
  }

  private fits(event: QueuedEvent): boolean {
    return this.size < this.limits.maxCount && this.bytes + event.bytes <= this.limits.maxBytes;
  }

  private admit(event: QueuedEvent, place: () => AddResult): AddResult {
    if (event.bytes > this.limits.maxBytes) return REFUSED;
    const evicted: QueuedEvent[] = [];
    if (!this.fits(event)) {
      if (this.limits.overflow === 'drop-newest') return REFUSED;
      while (!this.fits(event) && this.ready.size > 0) {
        const oldest = this.ready.take(1);
        this.ready.acknowledge(oldest);
        evicted.push(...oldest);
      }
      for (const oldest of this.held) {
        if (this.fits(event)) break;
        this.release(oldest);
        evicted.push(oldest);
      }
    }
    const placed = place();
    return { accepted: placed.accepted, evicted: [...evicted, ...placed.evicted] };
  }
}
