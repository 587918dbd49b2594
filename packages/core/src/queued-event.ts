import type { EmitInput } from './types.js';

/** An accepted event waiting in (or taken from) the queue: a shallow snapshot, not yet serialised. */
export interface QueuedEvent {
  /** `context.event_id` on the wire: recognises a duplicate caused by a retry. */
  readonly id: string;
  /** Emission order, used by `flush()` to wait for what was emitted before it. */
  readonly seq: number;
  readonly input: EmitInput;
  /** Estimated size, counted against `maxQueueBytes`. */
  readonly bytes: number;
  /** `performance.now()` at emit while a delivery latency is measured (metrics), else 0. */
  readonly emittedAt?: number;
  /** The serialised body, made once when the sender first takes the event, reused by retries. */
  body?: string;
}
