import type { EmitInput, EventClass } from './types.js';

/** An accepted event waiting in (or taken from) the queue: a shallow snapshot, not yet serialised. */
export interface QueuedEvent {
  /** `context.event_id` on the wire: recognises a duplicate caused by a retry. */
  readonly id: string;
  /** Emission order, used by `flush()` to wait for what was emitted before it. */
  readonly seq: number;
  /** The snapshot; its `eventClass` was checked at `emit`, see {@link classOf}. */
  readonly input: EmitInput;
  /** Estimated size, counted against `maxQueueBytes`. */
  readonly bytes: number;
  /** `performance.now()` at emit while a delivery latency is measured (metrics), else 0. */
  readonly emittedAt?: number;
  /** The serialised body, made once when the sender first takes the event, reused by retries. */
  body?: string;
}

/** The class of a queued event: `request_log` only when marked so, `audit` otherwise. */
export function classOf(event: QueuedEvent): EventClass {
  return event.input.eventClass === 'request_log' ? 'request_log' : 'audit';
}
