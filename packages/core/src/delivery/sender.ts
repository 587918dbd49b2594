import { setMaxListeners } from 'node:events';
import { describeError } from '../errors.js';
import type { ResolvedRetry } from '../options.js';
import { type PrepareSettings, prepareEvent } from '../payload/prepare-event.js';
import type { EventStore } from '../queue/event-store.js';
import type { QueuedEvent } from '../queued-event.js';
import type { Transport } from '../transport/transport.js';
import type { DropReason } from '../types.js';
import type { ConcurrencyLimit } from './adaptive-limit.js';
import { type DeliveryResult, deliverOne } from './deliver-one.js';
import { describeWait } from './describe-wait.js';
import { ObservedTransport } from './observed-transport.js';
import { RequestSlots } from './request-slots.js';
import { SenderGate } from './sender-gate.js';
import { sleep } from './sleep.js';
import { StallWatchdog } from './stall-watchdog.js';

/** How the sender tells the client what became of each event it took. */
export interface SenderListener {
  taken(count: number): void;
  delivered(event: QueuedEvent): void;
  dropped(
    event: QueuedEvent,
    reason: DropReason,
    message: string,
    details: { status?: number; cause?: unknown },
  ): void;
  retried(): void;
  /** Events wait and none has settled for `stallAfterMs`: once per episode, saying why. */
  stalled?(message: string): void;
  /** The reported stall ended. */
  stallEnded?(): void;
}

export interface SenderOptions {
  store: EventStore;
  transport: Transport;
  listener: SenderListener;
  prepare: PrepareSettings;
  retry: ResolvedRetry;
  batchSize: number;
  flushIntervalMs: number;
  /**
   * The most requests in flight: adaptive (adaptive-limit.ts), or fixed by `concurrency`. Its
   * `max` also bounds the events the sender holds at once.
   */
  limit: ConcurrencyLimit;
  /** Report a stall after this long without a settled event while events wait. @default 30000 */
  stallAfterMs?: number;
}

type Settled =
  | DeliveryResult
  | { kind: 'dropped'; reason: DropReason; message: string; cause?: unknown };

/** Consecutive failed attempts before the sender backs off as a whole. */
const CIRCUIT_THRESHOLD = 5;
/**
 * The longest wait between two probes of the open circuit. A probe is the only way the sender
 * learns that authentik is back, so this bounds how long it can stay idle while authentik
 * answers. The per-event `retry.maxDelayMs` (30 s by default) is far too long for that: a
 * server that is up for less than the probe interval at a time (a flapping proxy, a restart
 * loop) could be missed by probe after probe, each a coin toss, for minutes on end. One
 * request every 2.5-5 s while authentik is down costs it next to nothing.
 */
const MAX_PROBE_INTERVAL_MS = 5000;
const DEFAULT_STALL_AFTER_MS = 30_000;

/**
 * Takes events from the store and delivers them with at most `limit.current` requests in
 * flight. An idle sender wakes when `batchSize` events are queued or `flushIntervalMs` has
 * passed; once awake, its lanes keep taking events until the store is empty.
 *
 * A lane is one async loop that takes an event and sees it through to its end, retries
 * included. A request slot (request-slots.ts) is held for one attempt only: a lane waiting out
 * a retry's backoff is resting and needs none, and another lane starts in its place, so that
 * events authentik keeps failing do not hold up the others (up to `limit.max` lanes).
 */
export class Sender {
  private readonly abort = new AbortController();
  private readonly gate: SenderGate;
  private readonly transport: ObservedTransport;
  private readonly slots: RequestSlots;
  private readonly watchdog: StallWatchdog;
  /** Events taken from the store and not settled yet. */
  private holding = 0;
  /** Events settled (delivered or dropped) since the start: the watchdog's sign of progress. */
  private settled = 0;
  private lanes = 0;
  /** Lanes waiting out a retry's backoff: they hold an event but no request slot. */
  private resting = 0;
  private timer: NodeJS.Timeout | undefined;
  private wakeScheduled = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: SenderOptions) {
    // Every request in flight listens on this one signal; past 10, Node would warn on the app's stderr.
    setMaxListeners(0, this.abort.signal);
    this.gate = new SenderGate({
      failureThreshold: CIRCUIT_THRESHOLD,
      minDelayMs: options.retry.minDelayMs,
      maxDelayMs: Math.min(options.retry.maxDelayMs, MAX_PROBE_INTERVAL_MS),
    });
    this.transport = new ObservedTransport(options.transport);
    this.slots = new RequestSlots(options.limit);
    this.watchdog = new StallWatchdog({
      stallAfterMs: options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS,
      waiting: () => options.store.size + this.holding,
      settled: () => this.settled,
      describe: (now) =>
        describeWait(now, {
          gate: this.gate.state,
          transport: this.transport.observations(),
          queued: options.store.size,
          holding: this.holding,
          lanes: this.lanes,
        }),
      stalled: (message) => options.listener.stalled?.(message),
      recovered: () => options.listener.stallEnded?.(),
    });
  }

  /** Called after every accepted event: wake now if a batch is ready, else make sure the timer runs. */
  notifyQueued(): void {
    if (this.stopped) return;
    this.watchdog.start();
    if (this.options.store.size >= this.options.batchSize) this.wakeSoon();
    else if (this.timer === undefined && this.lanes === 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wake();
      }, this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Start sending whatever is queued, now (used by `flush`). */
  wake(): void {
    if (this.stopped) return;
    // What is queued goes now: the flush timer has nothing left to do (an idle client keeps none).
    clearTimeout(this.timer);
    this.timer = undefined;
    // The limit may have grown since the last request ended: let waiting attempts in first.
    this.slots.grant();
    const { store, limit } = this.options;
    // A new lane takes its first event at once (runLane() runs up to its first await), so the
    // queue shrinks while this loop runs: count the events waiting when it started.
    let waiting = store.size;
    while (this.lanes < limit.max && this.lanes - this.resting < limit.current && waiting-- > 0) {
      this.lanes++;
      void this.runLane();
    }
  }

  /** Stop taking events, abort requests in flight, and resolve when every lane has returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.watchdog.stop();
    this.abort.abort(new Error('the client closed'));
    if (this.lanes > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.transport.close();
  }

  /** The limit on requests in flight now (`stats().concurrencyLimit`). */
  get concurrencyLimit(): number {
    return this.options.limit.current;
  }

  /** Whether the sender is paused by `Retry-After` or backing off after repeated failures. */
  get degraded(): boolean {
    return this.gate.isOpen || this.gate.isPaused;
  }

  private wakeSoon(): void {
    // `emit` never does I/O itself: the first request starts on the next turn of the event loop.
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wake();
    });
  }

  private async runLane(): Promise<void> {
    const { store, listener, limit } = this.options;
    try {
      while (!this.stopped) {
        const [event] = store.take(1);
        if (!event) break;
        listener.taken(1);
        this.holding++;
        const result = await this.deliverSettled(event);
        this.holding--;
        this.settled++;
        store.acknowledge([event]);
        if (result.kind === 'delivered') listener.delivered(event);
        else listener.dropped(event, result.reason, result.message, result);
        // The limit came down: this lane ends, so that fewer events are held than before.
        if (this.lanes - this.resting > limit.current) break;
        // Or it went up: more lanes, if events wait.
        this.wake();
      }
    } catch {
      // Unreachable by design (deliverSettled never throws, the listener contains its hooks);
      // kept so that a loop of the sender can never become an unhandled rejection in the app.
    } finally {
      this.lanes--;
      if (this.lanes === 0) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        if (!this.stopped) {
          // Events that arrived while the last lane was finishing still need a timer.
          if (store.size > 0) this.notifyQueued();
          // Everything settled: the watchdog stops now, not at its next look.
          else this.watchdog.check();
        }
      }
    }
  }

  /** A lane waits out a retry's backoff: it rests, and another lane may start meanwhile. */
  private readonly backoff = async (ms: number, signal: AbortSignal): Promise<void> => {
    this.resting++;
    try {
      this.wake();
      await sleep(ms, signal);
    } finally {
      this.resting--;
    }
  };

  /** Every taken event ends delivered or dropped with a reason: whatever throws is `invalid`. */
  private async deliverSettled(event: QueuedEvent): Promise<Settled> {
    try {
      return await this.deliver(event);
    } catch (error) {
      return {
        kind: 'dropped',
        reason: 'invalid',
        message: `the event could not be sent: ${describeError(error)}`,
        cause: error,
      };
    }
  }

  private async deliver(event: QueuedEvent): Promise<Settled> {
    if (event.body === undefined) {
      const prepared = prepareEvent(event, this.options.prepare);
      if (!prepared.ok)
        return {
          kind: 'dropped',
          reason: prepared.reason,
          message: prepared.message,
          cause: prepared.error,
        };
      event.body = prepared.body;
    }
    return deliverOne(event.body, {
      transport: this.transport,
      gate: this.gate,
      slots: this.slots,
      retry: this.options.retry,
      signal: this.abort.signal,
      onRetry: () => this.options.listener.retried(),
      backoff: this.backoff,
    });
  }
}
