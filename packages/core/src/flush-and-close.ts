import type { Accounting } from './accounting.js';
import type { AuthentikApi } from './authentik-api.js';
import type { Sender } from './delivery/sender.js';
import { ConfigError } from './errors.js';
import { type ExitParticipant, exitFlushFor, registerForExit } from './exit-flush.js';
import type { Intake } from './intake.js';
import { setLongTimeout } from './long-timer.js';
import type { Outcomes } from './outcomes.js';
import type { EventStore } from './queue/event-store.js';
import type { HoldingQueue } from './queue/holding-queue.js';
import type { Reporter } from './reporter.js';
import type { ClientStats, DeliveryReport } from './types.js';

export interface WaitOptions {
  /** Stop waiting after this long (`Infinity`: no deadline); the report then says what is still pending. */
  timeoutMs?: number;
}

export interface FlushAndCloseParts {
  accounting: Accounting;
  queue: HoldingQueue;
  store: EventStore;
  sender: Sender;
  intake: Intake;
  outcomes: Outcomes;
  reporter: Reporter;
  api: AuthentikApi;
  stats: () => ClientStats;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** Resolves `true` when `promise` does, `false` once `timeoutMs` has passed, whichever is first. */
async function within(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  if (timeoutMs === Number.POSITIVE_INFINITY) return promise.then(() => true);
  let cancel: (() => void) | undefined;
  // Not unref'd: an app awaiting close() at shutdown must get its report before exiting.
  const deadline = new Promise<boolean>((resolve) => {
    cancel = setLongTimeout(() => resolve(false), timeoutMs, false);
  });
  try {
    return await Promise.race([promise.then(() => true), deadline]);
  } finally {
    cancel?.();
  }
}

/**
 * The calls that wait for delivery: `flush` and `close`, each within its deadline, and what
 * is left at the end (counted as `closed`); also the exit flush of a process that ends
 * without `close()`.
 */
export class FlushAndClose {
  private closingReport: Promise<DeliveryReport> | undefined;
  /** Held strongly here: the process's exit listeners hold it only weakly. */
  readonly exitParticipant: ExitParticipant;
  private readonly unregisterExit: () => void;

  constructor(private readonly parts: FlushAndCloseParts) {
    const { accounting, queue, intake } = parts;
    this.exitParticipant = exitFlushFor({
      get closed() {
        return intake.closed;
      },
      pending: () => ({ queued: queue.size, inFlight: accounting.inFlight }),
      settled: () => accounting.emitted - queue.size - accounting.inFlight,
      flush: (timeoutMs) => void this.flush({ timeoutMs }),
      dropLeft: () => {
        this.releaseHeld();
        this.dropQueued('the process exited');
      },
    });
    this.unregisterExit = registerForExit(this.exitParticipant);
  }

  async flush(options?: WaitOptions): Promise<DeliveryReport> {
    const timeoutMs = this.deadlineOf(options?.timeoutMs, Number.POSITIVE_INFINITY, 'flush');
    const { accounting, stats } = this.parts;
    const before = stats();
    const startedAt = Date.now();
    const complete = await this.waitSettled(timeoutMs);
    return accounting.report(before, stats(), startedAt, complete);
  }

  /** Idempotent: every call gets the report of the first. */
  close(options?: WaitOptions): Promise<DeliveryReport> {
    if (!this.closingReport) {
      this.parts.intake.stopAccepting();
      const timeoutMs = this.deadlineOf(options?.timeoutMs, DEFAULT_CLOSE_TIMEOUT_MS, 'close');
      this.closingReport = this.shutdown(timeoutMs);
    }
    return this.closingReport;
  }

  /** Sends every held event as it is, without what its lookup would have added. */
  releaseHeld(): void {
    for (const held of this.parts.queue.heldEvents())
      this.parts.intake.completeHeld(held, undefined);
  }

  /** What is still queued at the end is lost: counted as `closed` and reported. */
  dropQueued(when: string): void {
    const left = this.parts.store.drain();
    if (left.length > 0)
      this.parts.outcomes.dropped(
        left,
        'closed',
        false,
        `${left.length} events were still queued when ${when}`,
      );
  }

  private async shutdown(timeoutMs: number): Promise<DeliveryReport> {
    const { accounting, queue, sender, api, stats } = this.parts;
    this.unregisterExit();
    const before = stats();
    const startedAt = Date.now();
    // The deadline covers everything. Lookups still running get half of it to complete their
    // events (a short script's events keep their brand); then they are aborted, and the events
    // held for them go without what the lookup would have added.
    if (queue.heldCount > 0) {
      sender.wake();
      await within(queue.whenNoneHeld(), timeoutMs / 2);
    }
    api.close();
    this.releaseHeld();
    // The store hands out audit events first: when the deadline is short, they are the ones sent.
    const complete = await this.waitSettled(Math.max(0, timeoutMs - (Date.now() - startedAt)));
    await sender.stop();
    this.dropQueued('the client closed');
    return accounting.report(before, stats(), startedAt, complete);
  }

  private waitSettled(timeoutMs: number): Promise<boolean> {
    const { accounting, queue, sender } = this.parts;
    const settled = accounting.whenSettled(accounting.emitted, queue.size + accounting.inFlight);
    sender.wake();
    return within(settled, timeoutMs);
  }

  /** A deadline as given to flush/close: a number ≥ 0 (Infinity: none); anything else is reported and replaced. */
  private deadlineOf(timeoutMs: unknown, fallback: number, call: string): number {
    if (timeoutMs === undefined) return fallback;
    if (typeof timeoutMs === 'number' && timeoutMs >= 0) return timeoutMs;
    this.parts.reporter.error(
      new ConfigError(
        `${call}({ timeoutMs })`,
        `must be a number of milliseconds ≥ 0 or Infinity, got ${typeof timeoutMs === 'number' ? timeoutMs : typeof timeoutMs}; using ${fallback}`,
      ),
    );
    return fallback;
  }
}
