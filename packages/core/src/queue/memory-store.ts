import type { QueuedEvent } from '../queued-event.js';
import type { AddResult, EventStore } from './event-store.js';

export interface MemoryStoreLimits {
  maxCount: number;
  maxBytes: number;
  overflow: 'drop-newest' | 'drop-oldest';
}

const REFUSED: AddResult = Object.freeze({ accepted: false, evicted: [] }) as AddResult;
const NOTHING_EVICTED: readonly QueuedEvent[] = Object.freeze([]);

/**
 * A bounded FIFO in memory, bounded both in count and in (estimated) bytes. A head index
 * instead of `shift()` keeps `take` O(batch); the array is compacted when half is consumed.
 */
export class MemoryStore implements EventStore {
  private items: QueuedEvent[] = [];
  private head = 0;
  private totalBytes = 0;

  constructor(private readonly limits: MemoryStoreLimits) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  add(event: QueuedEvent): AddResult {
    const { maxCount, maxBytes, overflow } = this.limits;
    if (event.bytes > maxBytes) return REFUSED;
    const fits = () => this.size < maxCount && this.totalBytes + event.bytes <= maxBytes;
    if (!fits()) {
      if (overflow === 'drop-newest') return REFUSED;
      const evicted: QueuedEvent[] = [];
      while (!fits() && this.size > 0) evicted.push(this.shiftOne());
      this.push(event);
      return { accepted: true, evicted };
    }
    this.push(event);
    return { accepted: true, evicted: NOTHING_EVICTED as QueuedEvent[] };
  }

  take(max: number): QueuedEvent[] {
    const count = Math.min(max, this.size);
    const taken = this.items.slice(this.head, this.head + count);
    this.head += count;
    for (const event of taken) this.totalBytes -= event.bytes;
    this.compact();
    return taken;
  }

  acknowledge(_events: readonly QueuedEvent[]): void {
    // Nothing to do in memory: a taken event is already out of the array.
  }

  giveBack(events: readonly QueuedEvent[]): void {
    if (events.length === 0) return;
    this.items = [...events, ...this.items.slice(this.head)];
    this.head = 0;
    for (const event of events) this.totalBytes += event.bytes;
  }

  drain(): QueuedEvent[] {
    return this.take(this.size);
  }

  private push(event: QueuedEvent): void {
    this.items.push(event);
    this.totalBytes += event.bytes;
  }

  private shiftOne(): QueuedEvent {
    const event = this.items[this.head] as QueuedEvent;
    this.items[this.head] = undefined as unknown as QueuedEvent;
    this.head++;
    this.totalBytes -= event.bytes;
    this.compact();
    return event;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
