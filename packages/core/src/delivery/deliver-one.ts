import pRetry, { AbortError } from 'p-retry';
import type { ResolvedRetry } from '../options.js';
import { connectionProblem } from '../transport/connection-problem.js';
import type { Transport } from '../transport/transport.js';
import { TransportError } from '../transport/transport.js';
import { fullJitterDelay } from './backoff.js';
import { type AttemptOutcome, classifyResponse } from './classify.js';
import type { SenderGate } from './sender-gate.js';
import { sleep } from './sleep.js';

/** Answers that say authentik is down or overloaded rather than failing on this event. */
const OVERLOAD_STATUSES = new Set([429, 502, 503, 504]);

export type DeliveryResult =
  | { kind: 'delivered' }
  | {
      kind: 'dropped';
      reason: 'rejected' | 'unauthorized' | 'retries_exhausted' | 'closed';
      message: string;
      status?: number;
      cause?: unknown;
    };

/** A failed attempt that may be retried; says whether it should use up one of the event's retries. */
class RetryableAttempt extends Error {
  constructor(
    message: string,
    readonly consumesRetry: boolean,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableAttempt';
  }
}

/** A final answer that is not a success: the event is dropped with this reason. */
class FinalAttempt extends Error {
  constructor(readonly outcome: Extract<AttemptOutcome, { kind: 'drop' }>) {
    super(outcome.message);
    this.name = 'FinalAttempt';
  }
}

/** The client is closing: the attempt was cut short. */
class ClosedAttempt extends Error {
  constructor() {
    super('the client closed before the event was delivered');
    this.name = 'ClosedAttempt';
  }
}

export interface DeliverOneOptions {
  transport: Transport;
  gate: SenderGate;
  retry: ResolvedRetry;
  signal: AbortSignal;
  onRetry: () => void;
}

/** How many retries an event made, how many counted against `retry.retries`, since when. */
interface RetryCount {
  made: number;
  counted: number;
  startedAt: number;
}

/** Why an event was given up, with the retries it really made (the same `stats().retried` counts). */
function gaveUpMessage(count: RetryCount, retry: ResolvedRetry, error: unknown): string {
  const { made, counted } = count;
  const limit =
    Date.now() - count.startedAt >= retry.maxRetryTimeMs
      ? `retry.maxRetryTimeMs (${retry.maxRetryTimeMs} ms) reached`
      : `retry.retries (${retry.retries}) used up`;
  const uncounted =
    made > counted
      ? ` (${made - counted} of them not counted against retry.retries: pauses the server asked for with Retry-After, or probes while authentik was failing)`
      : '';
  const last = error instanceof Error ? error.message : String(error);
  return `gave up after ${made} ${made === 1 ? 'retry' : 'retries'}${uncounted}, ${limit}: ${last}`;
}

/**
 * Sends one serialised event with retries (p-retry counts them and enforces the time cap).
 * The backoff is our own full jitter, slept at the start of the next attempt, and the shared
 * gate decides when any attempt may start. Never throws: every ending is a `DeliveryResult`.
 *
 * An answer decides: once the server answered (a 2xx: the event is stored), a close that
 * aborts afterwards cannot turn it into `closed` (issue 9, #10).
 */
export async function deliverOne(
  body: string,
  options: DeliverOneOptions,
): Promise<DeliveryResult> {
  const { transport, gate, retry, signal } = options;
  let backoffMs = 0;
  let lastConsumed = false;
  let answered: DeliveryResult | undefined;
  const count: RetryCount = { made: 0, counted: 0, startedAt: Date.now() };

  const attempt = async (attemptNumber: number): Promise<void> => {
    if (attemptNumber > 1) {
      count.made++;
      if (lastConsumed) count.counted++;
      options.onRetry();
    }
    if (backoffMs > 0) await sleep(backoffMs, signal);
    const probe = await gate.acquire(signal);
    let outcome: AttemptOutcome;
    try {
      outcome = classifyResponse(await transport.send(body, signal));
    } catch (error) {
      if (signal.aborted || (error instanceof TransportError && error.kind === 'aborted')) {
        gate.released(probe);
        throw new AbortError(new ClosedAttempt());
      }
      // An unknown host or an untrusted certificate: not the event's fault, and not passing.
      // The event is held (its retries are not used up) while the gate probes one attempt at
      // a time: dropping it would lose an audit record to a fault the operator can fix (a DNS
      // record, a renewed certificate) while the app runs; the report says so at once.
      const permanent =
        error instanceof TransportError && connectionProblem(error.code)?.permanent === true;
      gate.failed(probe, permanent);
      const message = error instanceof Error ? error.message : String(error);
      throw new RetryableAttempt(message, !probe && !permanent, undefined, { cause: error });
    }
    if (outcome.kind === 'delivered') {
      answered = { kind: 'delivered' };
      gate.succeeded(probe);
      return;
    }
    if (outcome.kind === 'drop') {
      const { reason, message, status } = outcome;
      answered = { kind: 'dropped', reason, message, status };
      gate.succeeded(probe); // the server is up and answering
      throw new AbortError(new FinalAttempt(outcome));
    }
    gate.failed(probe);
    if (outcome.retryAfterMs !== undefined) gate.pause(outcome.retryAfterMs);
    // A pause the server asked for is not the event's fault, nor is a probe that finds authentik
    // still down or overloaded (a gateway's 502/504, 503, 429). A probe that authentik itself
    // answers with another server error (a 500) uses up a retry: that is what an event authentik
    // fails on every time looks like, and such an event would otherwise hold the circuit open
    // (and its sender's slot) until maxRetryTimeMs, while every event behind it waits.
    const overloadOrDown = outcome.status === undefined || OVERLOAD_STATUSES.has(outcome.status);
    const consumes = outcome.retryAfterMs === undefined && (!probe || !overloadOrDown);
    throw new RetryableAttempt(outcome.message, consumes, outcome.status);
  };

  try {
    await pRetry(attempt, {
      // p-retry stops once `retries` is reached even when the failure did not consume one (a
      // Retry-After pause, a circuit probe), so the event's budget is enforced in shouldRetry.
      retries: Number.POSITIVE_INFINITY,
      shouldRetry: ({ error, retriesConsumed }) =>
        error instanceof RetryableAttempt &&
        (!error.consumesRetry || retriesConsumed < retry.retries),
      minTimeout: 0,
      maxTimeout: 0,
      maxRetryTime: retry.maxRetryTimeMs,
      // No `signal` here: p-retry checks it after a successful attempt too, and would turn an
      // answer that came in as the client closed into `closed`. Each attempt watches it itself.
      unref: true,
      shouldConsumeRetry: ({ error, retriesConsumed }) => {
        const consumes = error instanceof RetryableAttempt && error.consumesRetry;
        lastConsumed = consumes;
        backoffMs = consumes
          ? fullJitterDelay(retriesConsumed, retry.minDelayMs, retry.maxDelayMs)
          : 0;
        return consumes;
      },
    });
    return answered ?? { kind: 'delivered' };
  } catch (error) {
    if (answered) return answered;
    if (signal.aborted || error instanceof ClosedAttempt) {
      return { kind: 'dropped', reason: 'closed', message: new ClosedAttempt().message };
    }
    const status = error instanceof RetryableAttempt ? error.status : undefined;
    const message = gaveUpMessage(count, retry, error);
    return { kind: 'dropped', reason: 'retries_exhausted', message, status, cause: error };
  }
}
