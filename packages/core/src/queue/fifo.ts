import type { QueuedEvent } from '../queued-event.js';

/**
 * A first-in, first-out list of events that keeps their count and bytes. A head index instead
 * of `shift()` keeps taking O(taken); the array is compacted when half is consumed.
 */
export class Fifo {
  private items: QueuedEvent[] = [];
  private head = 0;
  private totalBytes = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  push(event: QueuedEvent): void {
    this.items.push(event);
    this.totalBytes += event.bytes;
  }

  /** Removes and returns up to `max` events, oldest first. */
  shift(max: number): QueuedEvent[] {
    const count = Math.min(max, this.size);
    if (count === 0) return [];
    const taken = this.items.slice(this.head, this.head + count);
    this.head += count;
    for (const event of taken) this.totalBytes -= event.bytes;
    this.compact();
    return taken;
  }

  /** Removes and returns the oldest event. */
  shiftOne(): QueuedEvent | undefined {
    if (this.size === 0) return undefined;
    const event = this.items[this.head] as QueuedEvent;
    this.items[this.head] = undefined as unknown as QueuedEvent;
    this.head++;
    this.totalBytes -= event.bytes;
    this.compact();
    return event;
  }

  /** Puts events back in front, in their order. */
  unshift(events: readonly QueuedEvent[]): void {
    if (events.length === 0) return;
    this.items = [...events, ...this.items.slice(this.head)];
    this.head = 0;
    for (const event of events) this.totalBytes += event.bytes;
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
