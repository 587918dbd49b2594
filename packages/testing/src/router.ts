import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './authenticate.js';
import { type Directory, listBrands, listUsers } from './directory.js';
import { MSG, methodNotAllowed } from './drf-messages.js';
import type { EventStream } from './event-page/event-stream.js';
import { handlePage } from './event-page/handle-page.js';
import { handlePostEvent, type PostContext } from './handle-post-event.js';
import { respondHostile } from './hostile.js';
import { NOT_FOUND_HTML, SERVER_ERROR_HTML, TOO_LARGE_HTML } from './html-pages.js';
import { listEvents } from './list-events.js';
import { readBody, TOO_LARGE } from './read-body.js';
import type { RequestLog } from './request-log.js';
import { htmlReply, jsonReply, type Reply, send } from './respond.js';
import { ME_PATH, type SelfReadContext, selfRead, VERSION_PATH } from './self-reads.js';
import type { ReadAnswer, RecordedRequest } from './types.js';

export const EVENTS_PATH = '/api/v3/events/events/';
const EVENT_DETAIL = /^\/api\/v3\/events\/events\/([0-9a-f-]{32,36})\/$/;
const BRANDS_PATH = '/api/v3/core/brands/';
const USERS_PATH = '/api/v3/core/users/';

export interface RouterContext extends PostContext, SelfReadContext {
  log: RequestLog;
  directory: Directory;
  concurrency: { current: number; max: number };
  /** Reads of the users and brands lists in progress, and the most at once. */
  readConcurrency: { current: number; max: number };
  /** The event page's live feed; undefined when the page is off. */
  page: EventStream | undefined;
}

/**
 * Counts a request as in progress until its connection closes or `end` is called (when the
 * answer is handed to the socket: a client that has read the answer may already be sending
 * its next request before this server sees the response 'close').
 */
function countInProgress(
  counter: { current: number; max: number },
  res: ServerResponse,
): () => void {
  if (++counter.current > counter.max) counter.max = counter.current;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    counter.current--;
  };
  res.once('close', end);
  return end;
}

/** Entry point for every request: records it, then hands it to the matching handler. */
export function handleRequest(ctx: RouterContext, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  // The page is a developer's window on the fake, not a client of the API: its requests are
  // not recorded and no fault touches them.
  if (ctx.page && handlePage(ctx.page, req, res, path, ctx.warn)) return;
  const record: RecordedRequest = {
    method: req.method ?? 'GET',
    path: url,
    headers: req.headers,
    body: '',
    status: 0,
    receivedAt: Date.now(),
  };
  ctx.log.add(record);
  const isDirectoryRead = path === BRANDS_PATH || path === USERS_PATH;
  const endRead = isDirectoryRead ? countInProgress(ctx.readConcurrency, res) : () => {};
  const hostile = ctx.faults.hostileMode ?? (isDirectoryRead ? ctx.faults.hostileReadsMode : null);
  if (hostile) {
    respondHostile(hostile, req, res, record, ctx.timers, isDirectoryRead ? 200 : 201);
    return;
  }
  const onError = (error: unknown) => internalError(ctx, res, record, error);
  if (path === EVENTS_PATH && req.method === 'POST') {
    countInProgress(ctx.concurrency, res);
    handlePostEvent(ctx, req, res, record).catch(onError);
    return;
  }
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  handleRead(ctx, req, res, record, path, query).catch(onError).finally(endRead);
}

async function handleRead(
  ctx: RouterContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const body = await readBody(req, ctx.maxBodyBytes);
  if (body === null) return;
  if (body === TOO_LARGE) {
    return send(res, record, {
      ...htmlReply(413, TOO_LARGE_HTML),
      headers: { Connection: 'close' },
    });
  }
  record.body = body;
  if (ctx.faults.latencyMs > 0) await ctx.timers.sleep(ctx.faults.latencyMs);
  const answerer = ctx.faults.readAnswerer;
  const answer =
    answerer && (path === BRANDS_PATH || path === USERS_PATH)
      ? await answerer({ path, query, headers: req.headers })
      : undefined;
  if (answer) return send(res, record, readAnswerReply(answer));
  send(res, record, route(ctx, req.method ?? 'GET', req.headers.authorization, path, query));
}

/** A string body is sent as it is (to answer with what is not JSON), anything else as JSON. */
function readAnswerReply(answer: ReadAnswer): Reply {
  const status = answer.status ?? 200;
  return typeof answer.body === 'string'
    ? { status, contentType: 'application/json', text: answer.body }
    : jsonReply(status, answer.body);
}

function route(
  ctx: RouterContext,
  method: string,
  authorization: string | undefined,
  path: string,
  query: URLSearchParams,
): Reply {
  if (path === ME_PATH || path === VERSION_PATH) return selfRead(ctx, method, authorization, path);
  const detail = EVENT_DETAIL.exec(path);
  const known = path === EVENTS_PATH || path === BRANDS_PATH || path === USERS_PATH || detail;
  if (!known) return htmlReply(404, NOT_FOUND_HTML);
  // DRF authenticates and checks permissions before it looks at the method.
  const denied = authenticate(authorization, ctx.tokens);
  if (denied) return jsonReply(403, { detail: denied });
  if (method !== 'GET' && method !== 'HEAD') {
    return jsonReply(405, { detail: methodNotAllowed(method) });
  }
  if (path === EVENTS_PATH) return listEvents(ctx.store.events, query);
  if (path === BRANDS_PATH) return listBrands(ctx.directory, query);
  if (path === USERS_PATH) return listUsers(ctx.directory, query);
  const wanted = detail?.[1]?.replace(/-/g, '');
  const event = ctx.store.events.find((e) => e.pk.replace(/-/g, '') === wanted);
  return event ? jsonReply(200, event) : jsonReply(404, { detail: MSG.notFound });
}

function internalError(
  ctx: RouterContext,
  res: ServerResponse,
  record: RecordedRequest,
  error: unknown,
): void {
  ctx.warn(`500: ${(error as Error)?.stack ?? String(error)}`);
  if (!res.headersSent) send(res, record, htmlReply(500, SERVER_ERROR_HTML));
}
