import type { Accounting } from './accounting.js';
import type { BeforeSendGuard } from './before-send-guard.js';
import { checkEmitInput } from './emit-check.js';
import { describeError } from './errors.js';
import { flatRandomUUID } from './flat-uuid.js';
import type { Outcomes } from './outcomes.js';
import { boundQueuedEvent } from './payload/bound-event.js';
import type { Redactor } from './payload/redact.js';
import type { HoldingQueue } from './queue/holding-queue.js';
import { classOf, type QueuedEvent } from './queued-event.js';
import { activeTraceIds, addTraceIds } from './tracing/trace-ids.js';
import type { EmitInput, EventClass } from './types.js';

/** An event held for a lookup; see `EventClient.hold`. */
export interface HeldEvent {
  /**
   * Queues the event as `input` (what the lookup completed), or as it was held when `input` is
   * not given or does not fit the place reserved. Does nothing once the event was dropped.
   */
  complete(input?: EmitInput): void;
}

/** Bytes of an event besides its context, user and brand, for the queue's byte bound. */
export const EVENT_OVERHEAD_BYTES = 256;

export interface IntakeParts {
  queue: HoldingQueue;
  accounting: Accounting;
  outcomes: Outcomes;
  beforeSend: BeforeSendGuard;
  /** Whether an `onDrop` hook needs the content of a refused event (then it must be built). */
  wantsDrops: () => boolean;
  /** A ready event was queued: the sender may start. */
  queued: () => void;
  maxEventBytes: number;
  redactor: Redactor | false;
}

/** The class an input claims, read as safely as a refusal needs (the input may be a Proxy). */
function claimedClass(input: unknown): EventClass {
  try {
    return (input as EmitInput | null)?.eventClass === 'request_log' ? 'request_log' : 'audit';
  } catch {
    return 'audit';
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * How events come in: `emit`, `hold` and the completion of a held event, the refusals on the
 * way (closed, invalid, emitted from inside `beforeSend`) and the shedding under overload.
 * Nothing here throws into the app: what cannot be read is refused as `invalid`.
 */
export class Intake {
  private accepting = true;

  constructor(private readonly parts: IntakeParts) {}

  /** From now on every new event is refused as `closed`. */
  stopAccepting(): void {
    this.accepting = false;
  }

  get closed(): boolean {
    return !this.accepting;
  }

  emit(input: EmitInput): boolean {
    return this.accept(input, false) !== undefined;
  }

  /** Accepts an event to be completed by a lookup; `undefined` when it is refused (counted). */
  hold(input: EmitInput, extraBytes: number): HeldEvent | undefined {
    const held = this.accept(input, true, extraBytes);
    if (!held) return undefined;
    let completed = false;
    return {
      complete: (completedInput) => {
        if (completed) return;
        completed = true;
        try {
          this.completeHeld(held, completedInput);
        } catch {
          // Called from a lookup's promise: nothing may reject there. The event goes as held.
          if (this.parts.queue.isHeld(held)) this.completeHeld(held, undefined);
        }
      },
    };
  }

  /** Counts an event the caller could not build as emitted and refused `invalid`. */
  refuse(input: EmitInput, message: string): false {
    return this.parts.outcomes.refused('invalid', message, input, claimedClass(input));
  }

  /**
   * Before an adapter builds a request log: when any request log would be refused now and no
   * `onDrop` hook needs its content, counts it as emitted and dropped `queue_full` and returns
   * `true`, so that it is never built.
   */
  shedIfFull(): boolean {
    if (!this.accepting || !this.refusesAny('request_log')) return false;
    this.parts.outcomes.shed('request_log');
    return true;
  }

  /**
   * A held event becomes ready: as completed when that is valid and fits its place (keeping
   * the class it was held as), else as held. Does nothing once the event was dropped.
   */
  completeHeld(held: QueuedEvent, input: EmitInput | undefined): void {
    const { queue, outcomes } = this.parts;
    if (!queue.isHeld(held)) return;
    let completed = held;
    try {
      if (input !== undefined && checkEmitInput(input) === undefined) {
        const candidate = {
          ...this.toQueuedEvent(input, held.id, classOf(held)),
          seq: held.seq,
          emittedAt: held.emittedAt,
        };
        if (candidate.bytes <= held.bytes) completed = candidate;
      }
    } catch {
      // What the lookup completed cannot be read: the event goes as it was held.
    }
    if (queue.complete(held, completed)) this.parts.queued();
    else outcomes.dropped([held], 'queue_full', false, 'queue full');
  }

  /**
   * Whether an event of the class would be refused whatever it holds (the queue's policy says
   * so for the smallest event). Only an `onDrop` hook needs such an event's content; without
   * one, an event shed under overload costs a counter.
   */
  private refusesAny(eventClass: EventClass): boolean {
    return (
      !this.parts.wantsDrops() && this.parts.queue.refusesAny(eventClass, EVENT_OVERHEAD_BYTES)
    );
  }

  /** `emit`, or with `hold` the same for an event held until a lookup completes it. */
  private accept(input: EmitInput, hold: boolean, extraBytes = 0): QueuedEvent | undefined {
    const { outcomes, queue, accounting } = this.parts;
    let eventClass: EventClass = 'audit';
    try {
      eventClass = claimedClass(input);
      if (!this.accepting)
        return void outcomes.refused('closed', 'the client is closed', input, eventClass);
      if (this.parts.beforeSend.running)
        return void outcomes.refused(
          'invalid',
          'emit() was called from inside beforeSend, which runs for every event: it would never stop',
          input,
          eventClass,
        );
      const problem = checkEmitInput(input);
      if (problem) return void outcomes.refused('invalid', problem, input, eventClass);
      if (this.refusesAny(eventClass)) return void outcomes.shed(eventClass);
      const event: Mutable<QueuedEvent> = this.toQueuedEvent(
        input,
        flatRandomUUID(),
        eventClass,
        extraBytes,
      );
      const added = hold ? queue.hold(event) : queue.add(event);
      if (!added.accepted)
        return void outcomes.refused('queue_full', 'queue full', event.input, eventClass, event.id);
      // The event's emission order is the count of events emitted with it, so it is set once
      // the queue has accepted it; nothing of the app's runs between the two.
      event.seq = accounting.queuedAtEmit(eventClass);
      outcomes.evicted(added.evicted);
      if (!hold) this.parts.queued();
      return event;
    } catch (error) {
      // A Proxy or a throwing getter on the event itself: refuse it, never throw into the app.
      return void outcomes.refused(
        'invalid',
        `the event could not be read: ${describeError(error)}`,
        input,
        eventClass,
      );
    }
  }

  /** A shallow snapshot (later changes to the app's top-level objects do not alter the event), bounded and sized. */
  private toQueuedEvent(
    input: EmitInput,
    id: string,
    eventClass: EventClass,
    extraBytes = 0,
  ): QueuedEvent {
    const snapshot: EmitInput = { ...input };
    // The class counted at emit is the class queued, whatever a getter answers the second time.
    if (snapshot.eventClass !== undefined || eventClass === 'request_log')
      snapshot.eventClass = eventClass;
    if (input.context) snapshot.context = { ...input.context };
    if (input.user) snapshot.user = { ...input.user };
    if (input.brand) snapshot.brand = { ...input.brand };
    const trace = activeTraceIds();
    if (trace) {
      snapshot.context ??= {};
      addTraceIds(snapshot.context, trace);
    }
    const { maxEventBytes, redactor } = this.parts;
    const bytes =
      EVENT_OVERHEAD_BYTES + extraBytes + boundQueuedEvent(snapshot, { maxEventBytes, redactor });
    return { id, seq: 0, input: snapshot, bytes, emittedAt: this.parts.accounting.emitTime() };
  }
}
