import type { Accounting } from './accounting.js';
import { DegradedError, DeliveryError } from './errors.js';
import type { QueueLevel, QueueLimits } from './queue/overflow-policy.js';
import { classOf, type QueuedEvent } from './queued-event.js';
import type { Reporter } from './reporter.js';
import type { DroppedEvent, DropReason, EmitInput, EventClass } from './types.js';

interface DropReport {
  message: string;
  /** The once-per-episode key of the warning without onError. */
  episode: string;
  status?: number;
  cause?: unknown;
}

function actionOf(input: unknown): string {
  try {
    return String((input as { action?: unknown } | null)?.action);
  } catch {
    return 'undefined';
  }
}

function asDropped(events: readonly QueuedEvent[]): DroppedEvent[] {
  return events.map((event) => ({
    eventId: event.id,
    action: event.input.action,
    eventClass: classOf(event),
    input: event.input,
  }));
}

/** What the once-per-episode warning says the queue does while it is full. */
function overflowPolicyText(overflow: QueueLimits['overflow']): string {
  return overflow === 'drop-oldest'
    ? 'evicting the oldest request logs, then the oldest audit events'
    : 'refusing new request logs, and evicting the oldest request logs to make room for audit events (refused only when none is left)';
}

/**
 * The one home of what becomes of an event that is not delivered: every path counts it first
 * and reports it after, so that inside every hook (`onDrop`, `onError`) the counters already
 * say what happened and `emitted = queued + inFlight + delivered + sum(dropped)` holds.
 */
export class Outcomes {
  private overflowing = false;

  constructor(
    private readonly accounting: Accounting,
    private readonly reporter: Reporter,
    private readonly limits: QueueLimits,
    private readonly queue: QueueLevel,
  ) {}

  /** Queued or in-flight events that reached an end other than delivery. */
  dropped(
    events: readonly QueuedEvent[],
    reason: DropReason,
    wereInFlight: boolean,
    message: string,
    details: { status?: number; cause?: unknown } = {},
  ): void {
    for (const event of events) this.accounting.settled(event, reason, wereInFlight);
    this.reportDropped(asDropped(events), reason, {
      ...details,
      message,
      episode: `drop:${reason}`,
    });
  }

  /** An event refused at `emit` (never queued): counted as emitted and dropped at once. */
  refused(
    reason: DropReason,
    message: string,
    input: EmitInput,
    eventClass: EventClass,
    eventId = '',
  ): false {
    this.accounting.refusedAtEmit(reason, eventClass);
    if (reason === 'queue_full') this.startOverflow();
    this.reportDropped([{ eventId, action: actionOf(input), eventClass, input }], reason, {
      message: `event refused: ${message}`,
      episode: `refused:${reason}`,
    });
    return false;
  }

  /** An event shed under overload without being built (no `onDrop` needs its content). */
  shed(eventClass: EventClass): false {
    this.accounting.refusedAtEmit('queue_full', eventClass);
    this.startOverflow();
    return false;
  }

  /** Older events pushed out of a full queue to make room; the new one is already counted. */
  evicted(events: readonly QueuedEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) this.accounting.settled(event, 'queue_full', false);
    this.startOverflow();
    this.reportDropped(asDropped(events), 'queue_full', {
      message: 'queue full',
      episode: 'drop:queue_full',
    });
  }

  delivered(event: QueuedEvent): void {
    this.accounting.settled(event, 'delivered', true);
    this.reporter.endEpisode('drop:unauthorized');
    this.reporter.endEpisode('drop:retries_exhausted');
    const { maxCount, maxBytes } = this.limits;
    if (this.overflowing && this.queue.size * 2 < maxCount && this.queue.bytes * 2 < maxBytes)
      this.overflowing = false;
  }

  private startOverflow(): void {
    if (this.overflowing) return;
    this.overflowing = true;
    const { maxCount, maxBytes, overflow } = this.limits;
    this.reporter.error(
      new DegradedError(
        'ERR_AUTHENTIK_EVENTS_QUEUE_FULL',
        `queue full (${maxCount} events / ${maxBytes} bytes): ${overflowPolicyText(overflow)} until it drains; they are counted in stats().dropped.queue_full, by class in stats().byClass`,
      ),
    );
  }

  private reportDropped(events: DroppedEvent[], reason: DropReason, report: DropReport): void {
    if (this.reporter.wantsDrops) this.reporter.dropped(events, reason);
    // Overflow has its own once-per-episode warning; a filtered event was dropped on purpose.
    if (reason === 'queue_full' || reason === 'filtered') return;
    const { message, episode, status, cause } = report;
    this.reporter.error(
      new DeliveryError(reason, message, { status, cause, count: events.length }),
      episode,
      // A wrong token fails every event the same way: one report per episode, even to onError.
      episode === 'drop:unauthorized',
    );
  }
}
