import { performance } from 'node:perf_hooks';
import { connectionProblem } from '../transport/connection-problem.js';
import type { Transport, TransportResponse } from '../transport/transport.js';
import { TransportError } from '../transport/transport.js';
import { type AttemptOutcome, classifyResponse } from './classify.js';
import type { DeliveryResult } from './deliver-one.js';
import type { RequestSlots } from './request-slots.js';
import type { SenderGate } from './sender-gate.js';

/** Answers that say authentik is down or overloaded rather than failing on this event. */
const OVERLOAD_STATUSES = new Set([429, 502, 503, 504]);

/** How one attempt ended. */
export type Attempt =
  | { kind: 'answered'; result: DeliveryResult }
  | { kind: 'closed' }
  | {
      kind: 'retry';
      message: string;
      /** Whether it uses up one of the event's retries. */
      consumesRetry: boolean;
      status: number | undefined;
      cause?: unknown;
    };

export interface AttemptOptions {
  transport: Transport;
  gate: SenderGate;
  /** The requests in flight and their (adaptive) limit. */
  slots: RequestSlots;
  signal: AbortSignal;
}

/**
 * One attempt: a request slot, then the shared gate (a `Retry-After` pause, the open circuit),
 * then the request. What the answer says about the server's load goes to the limit; a probe of
 * the open circuit says nothing about it, and the time spent waiting for the gate is not the
 * server's.
 */
export async function attemptOnce(body: string, options: AttemptOptions): Promise<Attempt> {
  const { transport, gate, slots, signal } = options;
  try {
    await slots.acquire(signal);
  } catch {
    return { kind: 'closed' };
  }
  try {
    let probe: boolean;
    try {
      probe = await gate.acquire(signal);
    } catch {
      return { kind: 'closed' };
    }
    const sentAt = performance.now();
    let response: TransportResponse;
    try {
      response = await transport.send(body, signal);
    } catch (error) {
      return failedAttempt(error, probe, sentAt, options);
    }
    return answeredAttempt(response, probe, sentAt, options);
  } finally {
    slots.release();
  }
}

/** The request got no answer: a network failure, a timeout, or the client closing. */
function failedAttempt(
  error: unknown,
  probe: boolean,
  sentAt: number,
  { gate, slots, signal }: AttemptOptions,
): Attempt {
  if (signal.aborted || (error instanceof TransportError && error.kind === 'aborted')) {
    gate.released(probe);
    return { kind: 'closed' };
  }
  if (!probe) slots.limit.overloaded(sentAt);
  // An unknown host or an untrusted certificate: not the event's fault, and not passing. The
  // event is held (its retries are not used up) while the gate probes one attempt at a time:
  // dropping it would lose an audit record to a fault the operator can fix (a DNS record, a
  // renewed certificate) while the app runs; the report says so at once.
  const permanent =
    error instanceof TransportError && connectionProblem(error.code)?.permanent === true;
  gate.failed(probe, permanent);
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'retry',
    message,
    consumesRetry: !probe && !permanent,
    status: undefined,
    cause: error,
  };
}

/** The server answered: stored, refused for good, or to be retried. */
function answeredAttempt(
  response: TransportResponse,
  probe: boolean,
  sentAt: number,
  { gate, slots }: AttemptOptions,
): Attempt {
  const outcome: AttemptOutcome = classifyResponse(response);
  const overloadOrDown = outcome.kind === 'retry' && OVERLOAD_STATUSES.has(response.status);
  if (!probe) {
    if (overloadOrDown) slots.limit.overloaded(sentAt);
    else if (outcome.kind !== 'retry') {
      // The worker times the exchange itself; the hops between threads are not the server's.
      slots.limit.answered(sentAt, response.elapsedMs ?? performance.now() - sentAt);
    }
  }
  if (outcome.kind === 'delivered') {
    gate.succeeded(probe);
    return { kind: 'answered', result: { kind: 'delivered' } };
  }
  if (outcome.kind === 'drop') {
    gate.succeeded(probe); // the server is up and answering
    const { reason, message, status } = outcome;
    return { kind: 'answered', result: { kind: 'dropped', reason, message, status } };
  }
  gate.failed(probe);
  if (outcome.retryAfterMs !== undefined) gate.pause(outcome.retryAfterMs);
  // A pause the server asked for is not the event's fault, nor is a probe that finds authentik
  // still down or overloaded (a gateway's 502/504, 503, 429). A probe that authentik itself
  // answers with another server error (a 500) uses up a retry: that is what an event authentik
  // fails on every time looks like, and such an event would otherwise hold the circuit open
  // (and its sender's slot) until maxRetryTimeMs, while every event behind it waits.
  const consumesRetry = outcome.retryAfterMs === undefined && (!probe || !overloadOrDown);
  return { kind: 'retry', message: outcome.message, consumesRetry, status: outcome.status };
}
