import { Accounting } from './accounting.js';
import { type AuthentikApi, createAuthentikApi } from './authentik-api.js';
import { BeforeSendGuard } from './before-send-guard.js';
import type { CheckOptions, CheckResult } from './check/check-types.js';
import { runCheck } from './check/run-check.js';
import { createClientSender } from './client-sender.js';
import type { AuthentikEventsError } from './errors.js';
import { FlushAndClose, type WaitOptions } from './flush-and-close.js';
import { type HeldEvent, Intake } from './intake.js';
import { kDeliveryLatency } from './metrics/delivery-latency.js';
import type { ClientOptions } from './options.js';
import { Outcomes } from './outcomes.js';
import { Redactor } from './payload/redact.js';
import { HoldingQueue } from './queue/holding-queue.js';
import { MemoryStore } from './queue/memory-store.js';
import { Reporter } from './reporter.js';
import { resolveOptions } from './resolve-options.js';
import { createTokenMask } from './secrets/token-mask.js';
import { loadTraceApi } from './tracing/trace-ids.js';
import type { ClientStats, DeliveryReport, EmitInput } from './types.js';
import { USER_AGENT } from './version.js';

export type { WaitOptions } from './flush-and-close.js';
export type { HeldEvent } from './intake.js';

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
   * For adapters, before they build a request log (`eventClass: 'request_log'`): when the
   * queue would refuse any request log now and no `onDrop` hook needs the event's content,
   * counts one request log as emitted and dropped `queue_full` and returns `true`, so that it
   * need not be built at all. Otherwise returns `false` and the event is built and emitted as
   * usual. Audit events are never shed this way.
   */
  shedIfFull(): boolean;
  /** Reads authentik's API with this client's URL and token (brand and user lookups). */
  readonly api: AuthentikApi;
  /**
   * For adapters, when an event must wait for a lookup (a user's pk, a brand): accepts it now,
   * as it would be sent without the lookup, held back until `complete`. A held event is emitted
   * and `queued` from this moment and counts against the queue's bounds (with `extraBytes`
   * reserved for what the lookup adds); `undefined` when it is refused, counted as `emit` counts
   * a refusal. `close()` waits at most half its deadline for the lookups, then sends what is
   * still held as it is.
   */
  hold(input: EmitInput, extraBytes: number): HeldEvent | undefined;
  /**
   * Whether events will arrive, within a few seconds: the URL reachable, TLS trusted, the token
   * valid and allowed to create events, authentik's version. Never throws and never quotes the
   * token: each problem found comes with what to do. Creates an event only with `sendTestEvent`.
   */
  check(options?: CheckOptions): Promise<CheckResult>;
  /** For adapters: a request log that `autoLog.sample` left out (counted in `stats().sampledOut`). */
  countSampledOut(): void;
}

/** Where a client keeps its exit participant, which the exit listeners hold only weakly. */
const kExitParticipant = Symbol('authentikEventsExit');

/**
 * Creates a client that delivers events to authentik's `POST /api/v3/events/events/`.
 * Options are checked here, once; a wrong one throws a `ConfigError` naming it. The parts
 * live apart: the queue and its overflow policy (`queue/`), how events come in (`intake.ts`),
 * what becomes of them (`outcomes.ts`, `accounting.ts`), the sender (`client-sender.ts`) and
 * the calls that wait (`flush-and-close.ts`); this only wires them.
 *
 * @example
 * const client = createEventClient({ url: 'https://auth.example.com', token, app: 'billing' });
 * client.emit({ action: 'login', user: { pk: 42, username: 'jane' }, clientIp: '203.0.113.7' });
 * await client.close();
 */
export function createEventClient(options: ClientOptions = {}): EventClient {
  const resolved = resolveOptions(options);
  loadTraceApi();
  const limits = {
    maxCount: resolved.maxQueueSize,
    maxBytes: resolved.maxQueueBytes,
    overflow: resolved.overflow,
  };
  const accounting = new Accounting();
  const tokenMask = createTokenMask(resolved.token);
  const reporter = new Reporter(resolved.onError, resolved.onDrop, tokenMask);
  const store = new MemoryStore(limits);
  /** What is queued: the store the sender takes from, and the events held for a lookup. */
  const queue = new HoldingQueue(store, limits);
  const outcomes = new Outcomes(accounting, reporter, limits, queue);
  const redactor: Redactor | false =
    resolved.redact === false ? false : new Redactor(resolved.redact.keys, resolved.redact.except);
  const beforeSend = new BeforeSendGuard();
  const senderParts = { resolved, store, accounting, outcomes, reporter, redactor, beforeSend };
  const sender = createClientSender(senderParts);
  const intake = new Intake({
    queue,
    accounting,
    outcomes,
    beforeSend,
    wantsDrops: () => reporter.wantsDrops,
    queued: () => sender.notifyQueued(),
    maxEventBytes: resolved.maxEventBytes,
    redactor,
  });
  const { baseUrl, token, requestTimeoutMs, ca } = resolved;
  const api = createAuthentikApi(baseUrl, token, requestTimeoutMs, USER_AGENT, ca);
  const stats = () =>
    accounting.snapshot(
      queue.size,
      queue.bytes,
      queue.heldCount,
      (c) => queue.levelOf(c).size,
      sender.concurrencyLimit,
    );
  const waits = new FlushAndClose({
    accounting,
    queue,
    store,
    sender,
    intake,
    outcomes,
    reporter,
    api,
    stats,
  });

  const client: EventClient & { [kExitParticipant]: unknown; [kDeliveryLatency]: unknown } = {
    [kExitParticipant]: waits.exitParticipant,
    [kDeliveryLatency]: (listener: (seconds: number) => void) =>
      accounting.listenToLatency(listener),
    emit: (input) => intake.emit(input),
    flush: (waitOptions) => waits.flush(waitOptions),
    close: (waitOptions) => waits.close(waitOptions),
    stats,
    get closed() {
      return intake.closed;
    },
    app: resolved.app,
    report: (error) => reporter.error(error),
    refuse: (input, message) => intake.refuse(input, message),
    shedIfFull: () => intake.shedIfFull(),
    api,
    hold: (input, extraBytes) => intake.hold(input, extraBytes),
    check: (checkOptions) =>
      runCheck({ ...resolved, userAgent: USER_AGENT, mask: tokenMask }, checkOptions),
    countSampledOut() {
      accounting.sampledOut++;
    },
  };
  return client;
}
