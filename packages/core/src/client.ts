import { Accounting } from './accounting.js';
import { type AuthentikReader, createApiReader } from './api-reader.js';
import { Sender } from './delivery/sender.js';
import { checkEmitInput } from './emit-check.js';
import {
  type AuthentikEventsError,
  DegradedError,
  DeliveryError,
  describeError,
} from './errors.js';
import { flatRandomUUID } from './flat-uuid.js';
import type { ClientOptions } from './options.js';
import { estimateSize } from './payload/estimate-size.js';
import { Redactor } from './payload/redact.js';
import { HoldingQueue } from './queue/holding-queue.js';
import { MemoryStore } from './queue/memory-store.js';
import type { QueuedEvent } from './queued-event.js';
import { Reporter } from './reporter.js';
import { resolveOptions } from './resolve-options.js';
import { createTransport } from './transport/create-transport.js';
import type { ClientStats, DeliveryReport, DropReason, EmitInput } from './types.js';
import { USER_AGENT } from './version.js';

export interface WaitOptions {
  /** Stop waiting after this long; the report then says what is still pending. */
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
  const reporter = new Reporter(resolved.onError, resolved.onDrop);
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
  );
  const redactor =
    resolved.redact === false ? false : new Redactor(resolved.redact.keys, resolved.redact.except);
  let closed = false;
  let closing: Promise<DeliveryReport> | undefined;
  let overflowing = false;

  const drop = (
    events: QueuedEvent[],
    reason: DropReason,
    wereInFlight: boolean,
    message: string,
    status?: number,
    cause?: unknown,
  ) => {
    for (const event of events) accounting.settled(event, reason, wereInFlight);
    if (reporter.wantsDrops) {
      reporter.dropped(
        events.map((event) => ({
          eventId: event.id,
          action: event.input.action,
          input: event.input,
        })),
        reason,
      );
    }
    // Overflow has its own once-per-episode warning; a filtered event was dropped on purpose.
    if (reason !== 'queue_full' && reason !== 'filtered') {
      reporter.error(
        new DeliveryError(reason, message, { status, cause, count: events.length }),
        `drop:${reason}`,
        reason === 'unauthorized',
      );
    }
  };

  const sender = new Sender({
    store,
    transport: createTransport(
      resolved.delivery,
      {
        endpoint: resolved.endpoint,
        token: resolved.token,
        concurrency: resolved.concurrency,
        timeoutMs: resolved.requestTimeoutMs,
        userAgent: USER_AGENT,
      },
      (reason) =>
        reporter.error(
          new DegradedError(
            'ERR_AUTHENTIK_EVENTS_WORKER',
            `${reason}: delivering on the app's event loop instead (set delivery: 'in-process' to choose that)`,
          ),
        ),
    ),
    prepare: {
      app: resolved.app,
      maxEventBytes: resolved.maxEventBytes,
      redactor,
      beforeSend: resolved.beforeSend,
    },
    retry: resolved.retry,
    batchSize: resolved.batchSize,
    flushIntervalMs: resolved.flushIntervalMs,
    // Never more than `concurrency` handed to the transport: a delivery worker holding more
    // would send them during a Retry-After pause the sender keeps on this side.
    concurrency: resolved.concurrency,
    listener: {
      taken: (count) => accounting.taken(count),
      retried: () => accounting.retried++,
      delivered: (event) => {
        accounting.settled(event, 'delivered', true);
        reporter.endEpisode('drop:unauthorized');
        reporter.endEpisode('drop:retries_exhausted');
        if (
          overflowing &&
          queue.size * 2 < resolved.maxQueueSize &&
          queue.bytes * 2 < resolved.maxQueueBytes
        )
          overflowing = false;
      },
      dropped: (event, reason, message, details) =>
        drop([event], reason, true, message, details.status, details.cause),
    },
  });

  const refuse = (reason: DropReason, message: string, input: EmitInput): false => {
    accounting.refused(reason);
    if (reporter.wantsDrops) {
      reporter.dropped(
        [{ eventId: '', action: String((input as { action?: unknown } | null)?.action), input }],
        reason,
      );
    }
    reporter.error(new DeliveryError(reason, `event refused: ${message}`), `refused:${reason}`);
    return false;
  };

  const overflowed = (events: QueuedEvent[]) => {
    if (!overflowing) {
      overflowing = true;
      reporter.error(
        new DegradedError(
          'ERR_AUTHENTIK_EVENTS_QUEUE_FULL',
          `queue full (${resolved.maxQueueSize} events / ${resolved.maxQueueBytes} bytes): dropping the ${resolved.overflow === 'drop-oldest' ? 'oldest' : 'newest'} events until it drains; they are counted in stats().dropped.queue_full`,
        ),
      );
    }
    if (events.length > 0) drop(events, 'queue_full', false, 'queue full');
  };

  /**
   * Whether a new event would be refused whatever it holds: the queue is full by count, or has
   * no room left for even the smallest event, and refuses the newest. The content of such an
   * event is only needed by an onDrop hook; without one, an event shed under overload costs a
   * counter (DESIGN: "an event shed under overload costs almost nothing").
   */
  const refusesAnyEvent = () =>
    resolved.overflow === 'drop-newest' &&
    !reporter.wantsDrops &&
    (queue.size >= resolved.maxQueueSize ||
      queue.bytes + EVENT_OVERHEAD_BYTES > resolved.maxQueueBytes);

  const shed = (): false => {
    accounting.refused('queue_full');
    overflowed([]);
    return false;
  };

  /** A shallow snapshot (later changes to the app's top-level objects do not alter the event), sized. */
  function toQueuedEvent(input: EmitInput, seq: number, id: string, extraBytes = 0): QueuedEvent {
    const snapshot: EmitInput = { ...input };
    if (input.context) snapshot.context = { ...input.context };
    if (input.user) snapshot.user = { ...input.user };
    if (input.brand) snapshot.brand = { ...input.brand };
    const bytes =
      EVENT_OVERHEAD_BYTES +
      extraBytes +
      (snapshot.context ? estimateSize(snapshot.context, resolved.maxEventBytes) : 0) +
      (snapshot.user ? estimateSize(snapshot.user, 1024) : 0) +
      (snapshot.brand ? estimateSize(snapshot.brand, 1024) : 0);
    return { id, seq, input: snapshot, bytes };
  }

  /** `emit`, or with `hold` the same for an event held until a lookup completes it. */
  function accept(input: EmitInput, hold?: { extraBytes: number }): QueuedEvent | undefined {
    accounting.emitted++;
    const seq = accounting.emitted;
    try {
      if (closed) return void refuse('closed', 'the client is closed', input);
      const problem = checkEmitInput(input);
      if (problem) return void refuse('invalid', problem, input);
      if (refusesAnyEvent()) return void shed();
      const event = toQueuedEvent(input, seq, flatRandomUUID(), hold?.extraBytes);
      const added = hold ? queue.hold(event) : queue.add(event);
      if (added.evicted.length > 0) overflowed(added.evicted);
      if (!added.accepted) {
        accounting.refused('queue_full');
        overflowed([]);
        if (reporter.wantsDrops)
          reporter.dropped(
            [{ eventId: event.id, action: input.action, input: event.input }],
            'queue_full',
          );
        return undefined;
      }
      if (!hold) sender.notifyQueued();
      return event;
    } catch (error) {
      // A Proxy or a throwing getter on the event itself: refuse it, never throw into the app.
      return void refuse('invalid', `the event could not be read: ${describeError(error)}`, input);
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
        const candidate = toQueuedEvent(input, held.seq, held.id);
        if (candidate.bytes <= held.bytes) completed = candidate;
      }
    } catch {
      // What the lookup completed cannot be read: the event goes as it was held.
    }
    if (queue.complete(held, completed)) sender.notifyQueued();
    else drop([held], 'queue_full', false, 'queue full');
  }

  /** Resolves when `promise` does or `timeoutMs` has passed, whichever is first. */
  async function waitAtMost(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.min(timeoutMs, 2 ** 31 - 1));
    });
    try {
      await Promise.race([promise, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function waitSettled(timeoutMs: number | undefined): Promise<boolean> {
    const settled = accounting
      .whenSettled(accounting.emitted, queue.size + accounting.inFlight)
      .then(() => true);
    sender.wake();
    if (timeoutMs === undefined) return settled;
    let timer: NodeJS.Timeout | undefined;
    // Not unref'd: an app awaiting close() at shutdown must get its report before exiting.
    const deadline = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([settled, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  const stats = () => accounting.snapshot(queue.size, queue.bytes, queue.heldCount);

  async function flush(waitOptions: WaitOptions = {}): Promise<DeliveryReport> {
    const before = stats();
    const startedAt = Date.now();
    const complete = await waitSettled(waitOptions.timeoutMs);
    return accounting.report(before, stats(), startedAt, complete);
  }

  async function shutdown(timeoutMs: number): Promise<DeliveryReport> {
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
    const left = store.drain();
    if (left.length > 0)
      drop(left, 'closed', false, `${left.length} events were still queued when the client closed`);
    return accounting.report(before, stats(), startedAt, complete);
  }

  return {
    emit,
    flush,
    close(waitOptions: WaitOptions = {}) {
      if (!closing) {
        closed = true;
        closing = shutdown(waitOptions.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
      }
      return closing;
    },
    stats,
    get closed() {
      return closed;
    },
    app: resolved.app,
    report: (error) => reporter.error(error),
    refuse(input, message) {
      accounting.emitted++;
      return refuse('invalid', message, input);
    },
    shedIfFull() {
      if (closed || !refusesAnyEvent()) return false;
      accounting.emitted++;
      shed();
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
}
