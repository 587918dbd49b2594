import type { ResolvedRetry } from '../options.js';
import { type AttemptOptions, attemptOnce } from './attempt.js';
import { fullJitterDelay } from './backoff.js';
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

export interface DeliverOneOptions extends AttemptOptions {
  retry: ResolvedRetry;
  onRetry: () => void;
  /** Waits out a retry's backoff (the sender counts the event as resting meanwhile). */
  backoff?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const CLOSED_MESSAGE = 'the client closed before the event was delivered';

/** Why an event was given up, with the retries it really made (the same `stats().retried` counts). */
function gaveUpMessage(
  made: number,
  counted: number,
  startedAt: number,
  retry: ResolvedRetry,
  last: string,
): string {
  const limit =
    Date.now() - startedAt >= retry.maxRetryTimeMs
      ? `retry.maxRetryTimeMs (${retry.maxRetryTimeMs} ms) reached`
      : `retry.retries (${retry.retries}) used up`;
  const uncounted =
    made > counted
      ? ` (${made - counted} of them not counted against retry.retries: pauses the server asked for with Retry-After, or probes while authentik was failing)`
      : '';
  return `gave up after ${made} ${made === 1 ? 'retry' : 'retries'}${uncounted}, ${limit}: ${last}`;
}

/**
 * Sends one serialised event, retrying what may be retried. A plain loop rather than p-retry:
 * an attempt may be retried without using up a retry (a `Retry-After` pause, a probe of the
 * open circuit), the backoff is full jitter and is skipped after such an attempt, and an answer
 * that arrives as the client closes must still count; each of those would bend p-retry's own
 * counting and backoff out of shape. Never throws: every ending is a `DeliveryResult`.
 *
 * An answer decides: once the server answered (a 2xx: the event is stored), a close that
 * aborts afterwards cannot turn it into `closed`.
 */
export async function deliverOne(
  body: string,
  options: DeliverOneOptions,
): Promise<DeliveryResult> {
  const { retry, signal } = options;
  const startedAt = Date.now();
  let made = 0;
  let counted = 0;
  for (;;) {
    const attempt = await attemptOnce(body, options);
    if (attempt.kind === 'answered') return attempt.result;
    if (attempt.kind === 'closed') return closed();
    const outOfTime = Date.now() - startedAt >= retry.maxRetryTimeMs;
    if (outOfTime || (attempt.consumesRetry && counted >= retry.retries)) {
      const message = gaveUpMessage(made, counted, startedAt, retry, attempt.message);
      const { status, cause } = attempt;
      return { kind: 'dropped', reason: 'retries_exhausted', message, status, cause };
    }
    const backoffMs = attempt.consumesRetry
      ? fullJitterDelay(counted, retry.minDelayMs, retry.maxDelayMs)
      : 0;
    made++;
    if (attempt.consumesRetry) counted++;
    options.onRetry();
    if (backoffMs > 0) {
      try {
        await (options.backoff ?? sleep)(backoffMs, signal);
      } catch {
        return closed();
      }
    }
  }
}

function closed(): DeliveryResult {
  return { kind: 'dropped', reason: 'closed', message: CLOSED_MESSAGE };
}
