import pRetry, { AbortError } from 'p-retry';
import type { ResolvedRetry } from '../options.js';
import type { Transport } from '../transport/transport.js';
import { TransportError } from '../transport/transport.js';
import { fullJitterDelay } from './backoff.js';
import { type AttemptOutcome, classifyResponse } from './classify.js';
import type { SenderGate } from './sender-gate.js';
import { sleep } from './sleep.js';

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

/**
 * Sends one serialised event with retries (p-retry counts them and enforces the time cap).
 * The backoff is our own full jitter, slept at the start of the next attempt, and the shared
 * gate decides when any attempt may start. Never throws: every ending is a `DeliveryResult`.
 */
export async function deliverOne(
  body: string,
  options: DeliverOneOptions,
): Promise<DeliveryResult> {
  const { transport, gate, retry, signal } = options;
  let backoffMs = 0;

  const attempt = async (attemptNumber: number): Promise<void> => {
    if (attemptNumber > 1) options.onRetry();
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
      gate.failed(probe);
      const message = error instanceof Error ? error.message : String(error);
      throw new RetryableAttempt(message, !probe, undefined, { cause: error });
    }
    if (outcome.kind === 'delivered') {
      gate.succeeded(probe);
      return;
    }
    if (outcome.kind === 'drop') {
      gate.succeeded(probe); // the server is up and answering
      throw new AbortError(new FinalAttempt(outcome));
    }
    gate.failed(probe);
    if (outcome.retryAfterMs !== undefined) gate.pause(outcome.retryAfterMs);
    // A pause the server asked for, or a probe while the circuit is open, is not the event's fault.
    const consumes = outcome.retryAfterMs === undefined && !probe;
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
      signal,
      unref: true,
      shouldConsumeRetry: ({ error, retriesConsumed }) => {
        const consumes = error instanceof RetryableAttempt && error.consumesRetry;
        backoffMs = consumes
          ? fullJitterDelay(retriesConsumed, retry.minDelayMs, retry.maxDelayMs)
          : 0;
        return consumes;
      },
    });
    return { kind: 'delivered' };
  } catch (error) {
    if (error instanceof FinalAttempt) {
      const { reason, message, status } = error.outcome;
      return { kind: 'dropped', reason, message, status };
    }
    if (signal.aborted || error instanceof ClosedAttempt) {
      return { kind: 'dropped', reason: 'closed', message: new ClosedAttempt().message };
    }
    const status = error instanceof RetryableAttempt ? error.status : undefined;
    const message = `gave up after ${retry.retries} retries or ${retry.maxRetryTimeMs} ms: ${
      error instanceof Error ? error.message : String(error)
    }`;
    return { kind: 'dropped', reason: 'retries_exhausted', message, status, cause: error };
  }
}
