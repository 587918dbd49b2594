import {
  type AdapterOptions,
  type CheckOptions,
  type CheckResult,
  createRecorder,
  type DeliveryReport,
  type EventClient,
  finishWithResponse,
  type RequestEvents,
} from '@authentik-events/core';
import type { Context, Middleware, Next } from 'koa';
import { koaReader } from './koa-reader.js';

declare module 'koa' {
  interface BaseContext {
    /** Record events with this request's IP, user, brand and facts filled in. */
    authentik: RequestEvents;
  }
}

export type AuthentikEventsOptions = AdapterOptions<Context>;

export interface AuthentikEventsMiddleware extends Middleware {
  client: EventClient;
  /** Closes the client if this middleware created it (flushing what is queued). */
  close(options?: { timeoutMs?: number }): Promise<DeliveryReport | undefined>;
  /** Whether events will arrive (URL, TLS, token, permission); see `client.check()`. Never throws. */
  check(options?: CheckOptions): Promise<CheckResult>;
}

/**
 * Koa middleware that records each request, thrown errors (then rethrown) and 5xx responses,
 * and the app's own events (`ctx.authentik.emit`) as authentik events. Koa 2 and 3.
 *
 * @example
 * app.use(authentikEvents({ url: process.env.AUTHENTIK_URL, token: process.env.AUTHENTIK_TOKEN, app: 'shop' }));
 * router.post('/login', (ctx) => { ctx.authentik.emit('login'); ctx.status = 204; });
 */
export function authentikEvents(options: AuthentikEventsOptions = {}): AuthentikEventsMiddleware {
  const recorder = createRecorder(options, koaReader, '@authentik-events/koa');
  /** Requests this middleware has seen: mounted twice on their way (app and router, mounted sub-app), it records them once. */
  const scopes = new WeakMap<object, RequestEvents>();

  const middleware = async function authentikEventsMiddleware(
    ctx: Context,
    next: Next,
  ): Promise<void> {
    // Keyed by the Node request, not ctx: an app mounted into another one makes its own ctx.
    const known = scopes.get(ctx.req);
    if (known) {
      ctx.authentik = known;
      return next();
    }
    const scope = recorder.start(ctx);
    scopes.set(ctx.req, scope);
    ctx.authentik = scope;
    finishWithResponse(ctx.res, scope);
    try {
      await next();
    } catch (error) {
      scope.fail(error);
      throw error;
    }
  } as AuthentikEventsMiddleware;

  middleware.client = recorder.client;
  middleware.close = (closeOptions) => recorder.close(closeOptions);
  middleware.check = (checkOptions) => recorder.client.check(checkOptions);
  return middleware;
}

export type { RequestEvents } from '@authentik-events/core';
