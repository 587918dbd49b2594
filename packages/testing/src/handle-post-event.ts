import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CreateContext, createEvent } from './create-event.js';
import type { Failure, FaultState } from './faults.js';
import { TOO_LARGE_HTML } from './html-pages.js';
import { type Parsed, parseJson } from './parse-json.js';
import { readBody, TOO_LARGE } from './read-body.js';
import { htmlReply, jsonReply, type Reply, resetConnection, send } from './respond.js';
import type { Timers } from './timers.js';
import type { RecordedRequest } from './types.js';

export interface PostContext extends CreateContext {
  faults: FaultState;
  timers: Timers;
  maxBodyBytes: number;
  isDown(): boolean;
}

/**
 * One event POST through the simulated stack: the faults a proxy or a struggling server
 * would add come first (reset, size limit, latency, injected failures, throttling, a server of
 * limited capacity), then authentik itself (createEvent).
 */
export async function handlePostEvent(
  ctx: PostContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
): Promise<void> {
  const reset = ctx.faults.takeReset();
  if (reset === 'before-body') return resetConnection(res);
  const body = await readBody(req, ctx.maxBodyBytes);
  if (body === null) return;
  if (body === TOO_LARGE) {
    ctx.warn(`413: request body above ${ctx.maxBodyBytes} bytes`);
    return send(res, record, {
      ...htmlReply(413, TOO_LARGE_HTML),
      headers: { Connection: 'close' },
    });
  }
  record.body = body;
  if (ctx.faults.latencyMs > 0) await ctx.timers.sleep(ctx.faults.latencyMs);
  let parsed: Parsed | undefined;
  const getParsed = (): Parsed => {
    parsed ??= parseJson(body);
    return parsed;
  };
  const failure = ctx.faults.takeFailure(() => {
    const result = getParsed();
    return result.ok ? result.value : body;
  });
  if (failure) return send(res, record, failureReply(failure));
  const limiter = ctx.faults.limiter;
  if (limiter) {
    const wait = limiter.take(Date.now());
    if (wait > 0) await ctx.timers.sleep(wait);
  }
  const gate = ctx.faults.capacityGate;
  if (!gate) return store();
  const entered = gate.enter();
  if (entered === false) return send(res, record, SERVER_FULL);
  await entered;
  try {
    // The service time in force when a worker takes the request (it may change at run time).
    if (gate.serviceMs > 0) await ctx.timers.sleep(gate.serviceMs);
    store();
  } finally {
    gate.leave();
  }

  function store(): void {
    // Taken down while this request was held: a dead server stores nothing.
    if (ctx.isDown()) return;
    const reply = createEvent(ctx, req.headers, body as string, getParsed);
    if (reset === 'after-body') resetConnection(res);
    else send(res, record, reply);
  }
}

/** What the capacity mode answers when every worker is busy and the queue is full. */
const SERVER_FULL = jsonReply(503, {
  detail: 'Service unavailable: every worker is busy and the queue is full',
});

function failureReply(failure: Failure): Reply {
  const headers =
    failure.retryAfter === undefined ? undefined : { 'Retry-After': String(failure.retryAfter) };
  if (failure.body === undefined) {
    return jsonReply(
      failure.status,
      { detail: `Injected failure (HTTP ${failure.status})` },
      headers,
    );
  }
  const json = /^\s*[[{]/.test(failure.body);
  const contentType = json ? 'application/json' : 'text/html; charset=utf-8';
  return { status: failure.status, contentType, text: failure.body, headers };
}
