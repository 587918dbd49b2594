import { classOf, type QueuedEvent } from './queued-event.js';
import {
  type ClassStats,
  type ClientStats,
  type DeliveryReport,
  DROP_REASONS,
  type DropCounts,
  type DropReason,
  type EventClass,
} from './types.js';

function zeroDrops(): DropCounts {
  return Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as DropCounts;
}

/** Hears the latency of each delivery, emit to 2xx, in seconds (a metrics histogram). */
export type LatencyListener = (seconds: number) => void;

interface SettleWaiter {
  maxSeq: number;
  remaining: number;
  resolve: () => void;
}

/** One class's counters (its queued events are counted by the queue). */
class ClassCounters {
  emitted = 0;
  delivered = 0;
  readonly dropped: DropCounts = zeroDrops();

  snapshot(queued: number): ClassStats {
    return {
      emitted: this.emitted,
      queued,
      delivered: this.delivered,
      dropped: { ...this.dropped },
    };
  }
}

/** How many events of each class are queued, for `stats().byClass`. */
export type QueuedByClass = (eventClass: EventClass) => number;

/**
 * The client's counters and the waiters of `flush()`/`close()`. Every path that settles an
 * event goes through here, which is what keeps `emitted = queued + inFlight + delivered +
 * sum(dropped)` true at every moment, in total and for each class.
 */
export class Accounting {
  emitted = 0;
  inFlight = 0;
  delivered = 0;
  retried = 0;
  /** Request logs left out by `autoLog.sample`: never emitted, so outside the equation. */
  sampledOut = 0;
  readonly dropped: DropCounts = zeroDrops();
  private readonly byClass: Record<EventClass, ClassCounters> = {
    audit: new ClassCounters(),
    request_log: new ClassCounters(),
  };
  private waiters: SettleWaiter[] = [];
  /** Empty unless metrics are registered: then, and only then, events are timed. */
  private latencyListeners: LatencyListener[] = [];

  snapshot(
    queued: number,
    queuedBytes: number,
    awaitingLookup: number,
    queuedOf: QueuedByClass,
    concurrencyLimit: number,
  ): ClientStats {
    return {
      emitted: this.emitted,
      queued,
      queuedBytes,
      awaitingLookup,
      inFlight: this.inFlight,
      delivered: this.delivered,
      retried: this.retried,
      dropped: { ...this.dropped },
      concurrencyLimit,
      byClass: {
        audit: this.byClass.audit.snapshot(queuedOf('audit')),
        request_log: this.byClass.request_log.snapshot(queuedOf('request_log')),
      },
      sampledOut: this.sampledOut,
    };
  }

  /** An event's `emittedAt`: the time now while someone listens for latencies, else 0 (no clock read). */
  emitTime(): number {
    return this.latencyListeners.length === 0 ? 0 : performance.now();
  }

  /** Adds a latency listener; returns the function that removes it. */
  listenToLatency(listener: LatencyListener): () => void {
    this.latencyListeners = [...this.latencyListeners, listener];
    return () => {
      this.latencyListeners = this.latencyListeners.filter((other) => other !== listener);
    };
  }

  /**
   * An event refused at `emit` (never queued): emitted and dropped are counted together, so no
   * code (a hook, a getter of the app's) ever sees one without the other.
   */
  refusedAtEmit(reason: DropReason, eventClass: EventClass): void {
    this.emitted++;
    this.dropped[reason]++;
    const counters = this.byClass[eventClass];
    counters.emitted++;
    counters.dropped[reason]++;
  }

  /** An event accepted into the queue (already added to it); returns its emission order. */
  queuedAtEmit(eventClass: EventClass): number {
    this.byClass[eventClass].emitted++;
    return ++this.emitted;
  }

  /** A queued event was taken by the sender. */
  taken(count: number): void {
    this.inFlight += count;
  }

  /** An event that was queued or in flight reached its end. */
  settled(event: QueuedEvent, outcome: 'delivered' | DropReason, wasInFlight: boolean): void {
    if (wasInFlight) this.inFlight--;
    const counters = this.byClass[classOf(event)];
    if (outcome === 'delivered') {
      this.delivered++;
      counters.delivered++;
      if (event.emittedAt) this.observeLatency((performance.now() - event.emittedAt) / 1000);
    } else {
      this.dropped[outcome]++;
      counters.dropped[outcome]++;
    }
    if (this.waiters.length === 0) return;
    for (const waiter of this.waiters) {
      if (event.seq <= waiter.maxSeq && --waiter.remaining === 0) waiter.resolve();
    }
    this.waiters = this.waiters.filter((waiter) => waiter.remaining > 0);
  }

  private observeLatency(seconds: number): void {
    for (const listener of this.latencyListeners) {
      try {
        listener(seconds);
      } catch {
        // A metrics library's failure must not break the accounting of deliveries.
      }
    }
  }

  /** Resolves when the `unsettled` events emitted up to `maxSeq` are all settled. */
  whenSettled(maxSeq: number, unsettled: number): Promise<void> {
    if (unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ maxSeq, remaining: unsettled, resolve }));
  }

  /** What changed since `before` (a snapshot taken at the start of a flush or close). */
  report(
    before: ClientStats,
    after: ClientStats,
    startedAt: number,
    complete: boolean,
  ): DeliveryReport {
    const dropped = zeroDrops();
    for (const reason of DROP_REASONS)
      dropped[reason] = after.dropped[reason] - before.dropped[reason];
    const pending = after.queued + after.inFlight;
    return {
      delivered: after.delivered - before.delivered,
      retried: after.retried - before.retried,
      dropped,
      pending,
      complete,
      durationMs: Date.now() - startedAt,
    };
  }
}
