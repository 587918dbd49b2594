import type { QueuedEvent } from './queued-event.js';
import {
  type ClientStats,
  type DeliveryReport,
  DROP_REASONS,
  type DropCounts,
  type DropReason,
} from './types.js';

function zeroDrops(): DropCounts {
  return Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as DropCounts;
}

interface SettleWaiter {
  maxSeq: number;
  remaining: number;
  resolve: () => void;
}

/**
 * The client's counters and the waiters of `flush()`/`close()`. Every path that settles an
 * event goes through here, which is what keeps `emitted = queued + inFlight + delivered +
 * sum(dropped)` true at every moment.
 */
export class Accounting {
  emitted = 0;
  inFlight = 0;
  delivered = 0;
  retried = 0;
  readonly dropped: DropCounts = zeroDrops();
  private waiters: SettleWaiter[] = [];

  snapshot(
    queued: number,
    queuedBytes: number,
    awaitingLookup: number,
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
    };
  }

  /**
   * An event refused at `emit` (never queued): emitted and dropped are counted together, so no
   * code (a hook, a getter of the app's) ever sees one without the other.
   */
  refusedAtEmit(reason: DropReason): void {
    this.emitted++;
    this.dropped[reason]++;
  }

  /** An event accepted into the queue (already added to it); returns its emission order. */
  queuedAtEmit(): number {
    return ++this.emitted;
  }

  /** A queued event was taken by the sender. */
  taken(count: number): void {
    this.inFlight += count;
  }

  /** An event that was queued or in flight reached its end. */
  settled(event: QueuedEvent, outcome: 'delivered' | DropReason, wasInFlight: boolean): void {
    if (wasInFlight) this.inFlight--;
    if (outcome === 'delivered') this.delivered++;
    else this.dropped[outcome]++;
    if (this.waiters.length === 0) return;
    for (const waiter of this.waiters) {
      if (event.seq <= waiter.maxSeq && --waiter.remaining === 0) waiter.resolve();
    }
    this.waiters = this.waiters.filter((waiter) => waiter.remaining > 0);
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
