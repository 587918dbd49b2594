import type { Accounting } from './accounting.js';
import { DegradedError, DeliveryError } from './errors.js';
import type { QueuedEvent } from './queued-event.js';
import type { Reporter } from './reporter.js';
import type { DroppedEvent, DropReason, EmitInput } from './types.js';

export interface QueueLimits {
  maxQueueSize: number;
  maxQueueBytes: number;
  overflow: 'drop-newest' | 'drop-oldest';
}

interface DropReport {
  message: string;
  /** The once-per-episode key of the warning without onError. */
  episode: string;
  status?: number;
  cause?: unknown;
}

/** What the queue holds right now, for deciding when an overflow episode ends. */
export interface QueueLevel {
  readonly size: number;
  readonly bytes: number;
}

function actionOf(input: unknown): string {
  try {
    return String((input as { action?: unknown } | null)?.action);
  } catch {
    return 'undefined';
  }
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
    this.reportDropped(
      events.map((event) => ({
        eventId: event.id,
        action: event.input.action,
        input: event.input,
      })),
      reason,
      { ...details, message, episode: `drop:${reason}` },
    );
  }

  /** An event refused at `emit` (never queued): counted as emitted and dropped at once. */
  refused(reason: DropReason, message: string, input: EmitInput, eventId = ''): false {
    this.accounting.refusedAtEmit(reason);
    if (reason === 'queue_full') this.startOverflow();
    this.reportDropped([{ eventId, action: actionOf(input), input }], reason, {
      message: `event refused: ${message}`,
      episode: `refused:${reason}`,
    });
    return false;
  }

  /** An event shed under overload without being built (no `onDrop` needs its content). */
  shed(): false {
    this.accounting.refusedAtEmit('queue_full');
    this.startOverflow();
    return false;
  }

  /** Older events pushed out of a full queue (`drop-oldest`); the new one is already counted. */
  evicted(events: readonly QueuedEvent[]): void {
    if (events.length === 0) return;
    for (const event of events) this.accounting.settled(event, 'queue_full', false);
    this.startOverflow();
    this.reportDropped(
      events.map((event) => ({
        eventId: event.id,
        action: event.input.action,
        input: event.input,
      })),
      'queue_full',
      { message: 'queue full', episode: 'drop:queue_full' },
    );
  }

  delivered(event: QueuedEvent): void {
    this.accounting.settled(event, 'delivered', true);
    this.reporter.endEpisode('drop:unauthorized');
    this.reporter.endEpisode('drop:retries_exhausted');
    const { maxQueueSize, maxQueueBytes } = this.limits;
    if (
      this.overflowing &&
      this.queue.size * 2 < maxQueueSize &&
      this.queue.bytes * 2 < maxQueueBytes
    )
      this.overflowing = false;
  }

  private startOverflow(): void {
    if (this.overflowing) return;
    this.overflowing = true;
    const { maxQueueSize, maxQueueBytes, overflow } = this.limits;
    this.reporter.error(
      new DegradedError(
        'ERR_AUTHENTIK_EVENTS_QUEUE_FULL',
        `queue full (${maxQueueSize} events / ${maxQueueBytes} bytes): dropping the ${overflow === 'drop-oldest' ? 'oldest' : 'newest'} events until it drains; they are counted in stats().dropped.queue_full`,
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
