import { classOf, type QueuedEvent } from '../queued-event.js';
import type { EventClass } from '../types.js';
import type { AddResult, EventStore } from './event-store.js';
import { Fifo } from './fifo.js';
import { makeRoom, type QueueLevel, type QueueLimits } from './overflow-policy.js';

export type MemoryStoreLimits = QueueLimits;

const REFUSED: AddResult = Object.freeze({ accepted: false, evicted: [] }) as AddResult;

/**
 * A bounded store in memory, bounded both in count and in (estimated) bytes, with one FIFO per
 * class of event: `take` hands out audit events first, so that the sender delivers them before
 * request logs (under load, and at `close()` when time is short), and the overflow policy
 * (`overflow-policy.ts`) evicts request logs first.
 */
export class MemoryStore implements EventStore {
  private readonly audit = new Fifo();
  private readonly requestLogs = new Fifo();

  constructor(private readonly limits: MemoryStoreLimits) {}

  get size(): number {
    return this.audit.size + this.requestLogs.size;
  }

  get bytes(): number {
    return this.audit.bytes + this.requestLogs.bytes;
  }

  levelOf(eventClass: EventClass): QueueLevel {
    return this.fifoOf(eventClass);
  }

  add(event: QueuedEvent): AddResult {
    const eventClass = classOf(event);
    const evicted = makeRoom(this, eventClass, event.bytes, this.limits);
    if (!evicted) return REFUSED;
    this.fifoOf(eventClass).push(event);
    return { accepted: true, evicted };
  }

  take(max: number): QueuedEvent[] {
    const audit = this.audit.shift(max);
    if (audit.length === max) return audit;
    const requestLogs = this.requestLogs.shift(max - audit.length);
    return audit.length === 0 ? requestLogs : [...audit, ...requestLogs];
  }

  evictOldest(eventClass: EventClass): QueuedEvent | undefined {
    return this.fifoOf(eventClass).shiftOne();
  }

  acknowledge(_events: readonly QueuedEvent[]): void {
    // Nothing to do in memory: a taken event is already out of the store.
  }

  giveBack(events: readonly QueuedEvent[]): void {
    this.audit.unshift(events.filter((event) => classOf(event) === 'audit'));
    this.requestLogs.unshift(events.filter((event) => classOf(event) === 'request_log'));
  }

  drain(): QueuedEvent[] {
    return this.take(this.size);
  }

  private fifoOf(eventClass: EventClass): Fifo {
    return eventClass === 'audit' ? this.audit : this.requestLogs;
  }
}
