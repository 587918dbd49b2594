import { Accounting } from './accounting.js';
import { type AuthentikReader, createApiReader } from './api-reader.js';
import { concurrencyLimitFor } from './delivery/adaptive-limit.js';
import { Sender } from './delivery/sender.js';
import { checkEmitInput } from './emit-check.js';
import { type AuthentikEventsError, ConfigError, DegradedError, describeError } from './errors.js';
import { registerForExit } from './exit-flush.js';
import { flatRandomUUID } from './flat-uuid.js';
import { absorbThenable } from './hook-result.js';
import { setLongTimeout } from './long-timer.js';
import type { ClientOptions } from './options.js';
import { Outcomes } from './outcomes.js';
import { boundQueuedEvent } from './payload/bound-event.js';
import { Redactor } from './payload/redact.js';
import { HoldingQueue } from './queue/holding-queue.js';
import { MemoryStore } from './queue/memory-store.js';
import type { QueuedEvent } from './queued-event.js';
import { Reporter } from './reporter.js';
import { resolveOptions } from './resolve-options.js';
import { createTokenMask } from './secrets/token-mask.js';
import { CONNECTION_PROBLEM_CODES } from './transport/connection-problem.js';
import { createTransport } from './transport/create-transport.js';
import type { ClientStats, DeliveryReport, EmitInput } from './types.js';
import { USER_AGENT } from './version.js';

export interface WaitOptions {
  /** Stop waiting after this long (`Infinity`: no deadline); the report then says what is still pending. */
  timeoutMs?: number;
}

/** The client every adapter and app uses: `emit` on the request path, delivery in the background. */
export interface EventClient {
  /** Queue an event. Returns `false` (and counts why) when it is refused. Never throws, no I/O. */
  emit(input: EmitInput): boolean;
  /** Send what is queued now; resolves when everything emitted before the call is settled. */
  flush(options?: WaitOptions): Promise<DeliveryReport>;
  /** Flush, then refuse new events; stops waiting at `timeoutMs` (default 10 s) and aborts what is left. Idempotent. */
  close(options?: WaitOptions): Promise<DeliveryReport>;
  /** Counters; `emitted = queued + inFlight + delivered + sum(dropped)` at every moment. */
  stats(): ClientStats;
  readonly closed: boolean;
  /** The default `app` of events. */
  readonly app: string;
  /** Hand an error to the client's `onError` (or its once-per-episode warning); used by adapters. */
  report(error: AuthentikEventsError): void;
  /**
   * Count an event the caller could not build (reading what the app passed threw) as emitted
   * and refused as `invalid`, reported like a refused `emit`; used by adapters. Returns `false`.
   */
  refuse(input: EmitInput, message: string): false;
  /**
   * For adapters, before they build a request's event: when the queue is full (`drop-newest`)
   * and no `onDrop` hook needs the event's content, counts one event as emitted and dropped
   * `queue_full` and returns `true`, so that it need not be built at all. Otherwise returns
   * `false` and the event is built and emitted as usual.
   */
  shedIfFull(): boolean;
  /** Reads authentik's API with this client's URL and token (brand and user lookups). */
  readonly api: AuthentikReader;
  /**
   * For adapters, when an event must wait for a lookup (a user's pk, a brand): accepts it now,
   * as it would be sent without the lookup, held back until `complete`. A held event is emitted
   * and `queued` from this moment and counts against the queue's bounds (with `extraBytes`
   * reserved for what the lookup adds); `undefined` when it is refused, counted as `emit` counts
   * a refusal. `close()` waits at most half its deadline for the lookups, then sends what is
   * still held as it is.
   */
  hold(input: EmitInput, extraBytes: number): HeldEvent | undefined;
}

/** An event held for a lookup; see `EventClient.hold`. */
export interface HeldEvent {
  /**
   * Queues the event as `input` (what the lookup completed), or as it was held when `input` is
   * not given or does not fit the place reserved. Does nothing once the event was dropped.
   */
  complete(input?: EmitInput): void;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** Where a client keeps its exit participant, which the exit listeners hold only weakly. */
const kExitParticipant = Symbol('authentikEventsExit');
/**
 * How long, in all, a process that ends without `close()` is kept alive to deliver what is
 * still queued: enough for a healthy authentik, short enough that a script whose authentik is
 * down still ends promptly.
 */
const EXIT_FLUSH_BUDGET_MS = 5000;
/** Bytes of an event besides its context, user and brand, for the queue's byte bound. */
const EVENT_OVERHEAD_BYTES = 256;

/**
 * Creates a client that delivers events to authentik's `POST /api/v3/events/events/`.
 * Options are checked here, once; a wrong one throws a `ConfigError` naming it.
 *
 * @example
 * const client = createEventClient({ url: 'https://auth.example.com', token, app: 'billing' });
 * client.emit({ action: 'login', user: { pk: 42, username: 'jane' }, clientIp: '203.0.113.7' });
 * await client.close();
 */
export function createEventClient(options: ClientOptions = {}): EventClient {
  const resolved = resolveOptions(options);
  const accounting = new Accounting();
  const reporter = new Reporter(resolved.onError, resolved.onDrop, createTokenMask(resolved.token));
  const limits = {
    maxCount: resolved.maxQueueSize,
    maxBytes: resolved.maxQueueBytes,
    overflow: resolved.overflow,
  };
  const store = new MemoryStore(limits);
  /** What is queued: the store the sender takes from, and the events held for a lookup. */
  const queue = new HoldingQueue(store, limits);
  const api = createApiReader(
    resolved.baseUrl,
    resolved.token,
    resolved.requestTimeoutMs,
    USER_AGENT,
    resolved.ca,
  );
  const outcomes = new Outcomes(accounting, reporter, resolved, queue);
  const redactor =
    resolved.redact === false ? false : new Redactor(resolved.redact.keys, resolved.redact.except);
  let closed = false;
  let closing: Promise<DeliveryReport> | undefined;
  // beforeSend runs for every event: an event emitted from inside it would make another, forever.
  const userBeforeSend = resolved.beforeSend;
  let inBeforeSend = 0;

  const sender = new Sender({
    store,
    transport: createTransport(
      resolved.delivery,
      {
        endpoint: resolved.endpoint,
        token: resolved.token,
        concurrency: resolved.maxConcurrency,
        limitOption: resolved.concurrency === undefined ? 'maxConcurrency' : 'concurrency',
        timeoutMs: resolved.requestTimeoutMs,
        userAgent: USER_AGENT,
        ca: resolved.ca,
        maxEventBytes: resolved.maxEventBytes,
      },
      {
        fallback: (reason) =>
          reporter.error(
            new DegradedError(
              'ERR_AUTHENTIK_EVENTS_WORKER',
              `${reason}: delivering on the app's event loop instead (set delivery: 'in-process' to choose that)`,
            ),
          ),
        // Once per episode, also to onError: every attempt fails the same way until it is fixed.
        problem: (code, message, cause) =>
          reporter.error(new DegradedError(code, message, { cause }), `connection:${code}`, true),
        recovered: () => {
          for (const code of CONNECTION_PROBLEM_CODES) reporter.endEpisode(`connection:${code}`);
        },
      },
    ),
    prepare: {
      app: resolved.app,
      maxEventBytes: resolved.maxEventBytes,
      redactor,
      beforeSend:
        userBeforeSend &&
        ((wire) => {
          inBeforeSend++;
          try {
            const result = userBeforeSend(wire);
            // An async beforeSend: the Promise itself is refused as not an event; its rejection
            // must not end the process.
            absorbThenable(result, () => undefined);
            return result;
          } finally {
            inBeforeSend--;
          }
        }),
    },
    retry: resolved.retry,
    batchSize: resolved.batchSize,
    flushIntervalMs: resolved.flushIntervalMs,
    // The sender hands the transport no more requests than the limit allows: a delivery worker
    // holding more would send them during a Retry-After pause the sender keeps on this side.
    limit: concurrencyLimitFor(resolved),
    listener: {
      taken: (count) => accounting.taken(count),
      retried: () => accounting.retried++,
      delivered: (event) => outcomes.delivered(event),
      dropped: (event, reason, message, details) =>
        outcomes.dropped([event], reason, true, message, details),
      stalled: (message) =>
        reporter.error(new DegradedError('ERR_AUTHENTIK_EVENTS_STALLED', message)),
      stallEnded: () => reporter.endEpisode('ERR_AUTHENTIK_EVENTS_STALLED'),
    },
  });

  /**
   * Whether a new event would be refused whatever it holds: the queue is full by count, or has
   * no room left for even the smallest event, and refuses the newest. The content of such an
   * event is only needed by an onDrop hook; without one, an event shed under overload costs a
   * counter.
   */
  const refusesAnyEvent = () =>
    resolved.overflow === 'drop-newest' &&
    !reporter.wantsDrops &&
    (queue.size >= resolved.maxQueueSize ||
      queue.bytes + EVENT_OVERHEAD_BYTES > resolved.maxQueueBytes);

  /** A shallow snapshot (later changes to the app's top-level objects do not alter the event), bounded and sized. */
  function toQueuedEvent(input: EmitInput, id: string, extraBytes = 0): QueuedEvent {
    const snapshot: EmitInput = { ...input };
    if (input.context) snapshot.context = { ...input.context };
    if (input.user) snapshot.user = { ...input.user };
    if (input.brand) snapshot.brand = { ...input.brand };
    const bytes =
      EVENT_OVERHEAD_BYTES +
      extraBytes +
      boundQueuedEvent(snapshot, { maxEventBytes: resolved.maxEventBytes, redactor });
    return { id, seq: 0, input: snapshot, bytes };
  }

  /** `emit`, or with `hold` the same for an event held until a lookup completes it. */
  function accept(input: EmitInput, hold?: { extraBytes: number }): QueuedEvent | undefined {
    try {
      if (closed) return void outcomes.refused('closed', 'the client is closed', input);
      if (inBeforeSend > 0)
        return void outcomes.refused(
          'invalid',
          'emit() was called from inside beforeSend, which runs for every event: it would never stop',
          input,
        );
      const problem = checkEmitInput(input);
      if (problem) return void outcomes.refused('invalid', problem, input);
      if (refusesAnyEvent()) return void outcomes.shed();
      const event = toQueuedEvent(input, flatRandomUUID(), hold?.extraBytes) as {
        -readonly [K in keyof QueuedEvent]: QueuedEvent[K];
      };
      const added = hold ? queue.hold(event) : queue.add(event);
      if (!added.accepted)
        return void outcomes.refused('queue_full', 'queue full', event.input, event.id);
      // The event's emission order is the count of events emitted with it, so it is set once
      // the queue has accepted it; nothing of the app's runs between the two.
      event.seq = accounting.queuedAtEmit();
      outcomes.evicted(added.evicted);
      if (!hold) sender.notifyQueued();
      return event;
    } catch (error) {
      // A Proxy or a throwing getter on the event itself: refuse it, never throw into the app.
      return void outcomes.refused(
        'invalid',
        `the event could not be read: ${describeError(error)}`,
        input,
      );
    }
  }

  function emit(input: EmitInput): boolean {
    return accept(input) !== undefined;
  }

  /** A held event becomes ready: as completed when that is valid and fits its place, else as held. */
  function completeHeld(held: QueuedEvent, input: EmitInput | undefined): void {
    if (!queue.isHeld(held)) return;
    let completed = held;
    try {
      if (input !== undefined && checkEmitInput(input) === undefined) {
        const candidate = { ...toQueuedEvent(input, held.id), seq: held.seq };
        if (candidate.bytes <= held.bytes) completed = candidate;
      }
    } catch {
      // What the lookup completed cannot be read: the event goes as it was held.
    }
    if (queue.complete(held, completed)) sender.notifyQueued();
    else outcomes.dropped([held], 'queue_full', false, 'queue full');
  }

  /** A deadline as given to flush/close: a number ≥ 0 (Infinity: none); anything else is reported and replaced. */
  function deadlineOf(timeoutMs: unknown, fallback: number, call: string): number {
    if (timeoutMs === undefined) return fallback;
    if (typeof timeoutMs === 'number' && timeoutMs >= 0) return timeoutMs;
    reporter.error(
      new ConfigError(
        `${call}({ timeoutMs })`,
        `must be a number of milliseconds ≥ 0 or Infinity, got ${typeof timeoutMs === 'number' ? timeoutMs : typeof timeoutMs}; using ${fallback}`,
      ),
    );
    return fallback;
  }

  /** Resolves when `promise` does or `timeoutMs` has passed, whichever is first. */
  async function waitAtMost(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
    let cancel: (() => void) | undefined;
    const deadline = new Promise<void>((resolve) => {
      cancel = setLongTimeout(resolve, timeoutMs, false);
    });
    try {
      await Promise.race([promise, deadline]);
    } finally {
      cancel?.();
    }
  }

  async function waitSettled(timeoutMs: number): Promise<boolean> {
    const settled = accounting
      .whenSettled(accounting.emitted, queue.size + accounting.inFlight)
      .then(() => true);
    sender.wake();
    if (timeoutMs === Number.POSITIVE_INFINITY) return settled;
    let cancel: (() => void) | undefined;
    // Not unref'd: an app awaiting close() at shutdown must get its report before exiting.
    const deadline = new Promise<boolean>((resolve) => {
      cancel = setLongTimeout(() => resolve(false), timeoutMs, false);
    });
    try {
      return await Promise.race([settled, deadline]);
    } finally {
      cancel?.();
    }
  }

  const stats = () =>
    accounting.snapshot(queue.size, queue.bytes, queue.heldCount, sender.concurrencyLimit);

  async function flush(waitOptions?: WaitOptions): Promise<DeliveryReport> {
    const timeoutMs = deadlineOf(waitOptions?.timeoutMs, Number.POSITIVE_INFINITY, 'flush');
    const before = stats();
    const startedAt = Date.now();
    const complete = await waitSettled(timeoutMs);
    return accounting.report(before, stats(), startedAt, complete);
  }

  async function shutdown(timeoutMs: number): Promise<DeliveryReport> {
    unregisterExit();
    const before = stats();
    const startedAt = Date.now();
    // The deadline covers everything. Lookups still running get half of it to complete their
    // events (a short script's events keep their brand); then they are aborted, and the events
    // held for them go without what the lookup would have added.
    if (queue.heldCount > 0) {
      sender.wake();
      await waitAtMost(queue.whenNoneHeld(), timeoutMs / 2);
    }
    api.close();
    for (const held of queue.heldEvents()) completeHeld(held, undefined);
    const complete = await waitSettled(Math.max(0, timeoutMs - (Date.now() - startedAt)));
    await sender.stop();
    dropQueued('the client closed');
    return accounting.report(before, stats(), startedAt, complete);
  }

  /** What is still queued at the end is lost: counted as `closed` and reported. */
  function dropQueued(when: string): void {
    const left = store.drain();
    if (left.length > 0)
      outcomes.dropped(
        left,
        'closed',
        false,
        `${left.length} events were still queued when ${when}`,
      );
  }

  function close(waitOptions?: WaitOptions): Promise<DeliveryReport> {
    if (!closing) {
      closed = true;
      const timeoutMs = deadlineOf(waitOptions?.timeoutMs, DEFAULT_CLOSE_TIMEOUT_MS, 'close');
      closing = shutdown(timeoutMs);
    }
    return closing;
  }

  // A script that emits and ends without close(): deliver what is left when its event loop runs
  // empty, within a small budget, and say on stderr what could not be delivered.
  let exitFlushStartedAt: number | undefined;
  let settledAtLastExitFlush = -1;
  const exitParticipant = {
    beforeExit() {
      const pending = queue.size + accounting.inFlight;
      const settledSoFar = accounting.emitted - pending;
      // Only while it makes progress: an unreachable authentik must not keep the process alive.
      if (closed || pending === 0 || settledSoFar === settledAtLastExitFlush) return;
      settledAtLastExitFlush = settledSoFar;
      exitFlushStartedAt ??= Date.now();
      const left = EXIT_FLUSH_BUDGET_MS - (Date.now() - exitFlushStartedAt);
      if (left > 0) void flush({ timeoutMs: left });
    },
    exit() {
      const queued = queue.size;
      const inFlight = accounting.inFlight;
      if (closed || queued + inFlight === 0) return;
      for (const held of queue.heldEvents()) completeHeld(held, undefined);
      dropQueued('the process exited');
      process.stderr.write(
        `@authentik-events: the process exited with ${queued + inFlight} events not delivered to authentik (${queued} queued, ${inFlight} in flight); call close() before the process ends\n`,
      );
    },
  };
  const unregisterExit = registerForExit(exitParticipant);

  const client: EventClient & { [kExitParticipant]: unknown } = {
    [kExitParticipant]: exitParticipant,
    emit,
    flush,
    close,
    stats,
    get closed() {
      return closed;
    },
    app: resolved.app,
    report: (error) => reporter.error(error),
    refuse(input, message) {
      return outcomes.refused('invalid', message, input);
    },
    shedIfFull() {
      if (closed || !refusesAnyEvent()) return false;
      outcomes.shed();
      return true;
    },
    api,
    hold(input, extraBytes) {
      const held = accept(input, { extraBytes });
      if (!held) return undefined;
      let completed = false;
      return {
        complete(completedInput) {
          if (completed) return;
          completed = true;
          try {
            completeHeld(held, completedInput);
          } catch {
            // Called from a lookup's promise: nothing may reject there. The event goes as held.
            if (queue.isHeld(held)) completeHeld(held, undefined);
          }
        },
      };
    },
  };
  return client;
}
