import type { Accounting } from './accounting.js';
import type { BeforeSendGuard } from './before-send-guard.js';
import { concurrencyLimitFor } from './delivery/adaptive-limit.js';
import { Sender } from './delivery/sender.js';
import { DegradedError } from './errors.js';
import type { ResolvedClientOptions } from './options.js';
import type { Outcomes } from './outcomes.js';
import type { Redactor } from './payload/redact.js';
import type { EventStore } from './queue/event-store.js';
import type { Reporter } from './reporter.js';
import { CONNECTION_PROBLEM_CODES } from './transport/connection-problem.js';
import { createTransport } from './transport/create-transport.js';
import { USER_AGENT } from './version.js';

export interface ClientSenderParts {
  resolved: ResolvedClientOptions;
  store: EventStore;
  accounting: Accounting;
  outcomes: Outcomes;
  reporter: Reporter;
  redactor: Redactor | false;
  beforeSend: BeforeSendGuard;
}

/**
 * A client's sender: its transport, whose problems are reported once per episode, and its
 * listener, which settles every event through the client's outcomes.
 */
export function createClientSender(parts: ClientSenderParts): Sender {
  const { resolved, store, accounting, outcomes, reporter } = parts;
  return new Sender({
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
        workerUrl: resolved.workerUrl,
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
      redactor: parts.redactor,
      beforeSend: parts.beforeSend.wrap(resolved.beforeSend),
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
}
