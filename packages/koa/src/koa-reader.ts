import type { RequestReader } from '@authentik-events/core';
import type { Context } from 'koa';

/** How Koa exposes what an event needs; `ctx.ip` and `ctx.hostname` follow `app.proxy`. */
export const koaReader: RequestReader<Context> = {
  method: (ctx) => ctx.method,
  url: (ctx) => ctx.originalUrl,
  ip: (ctx) => ctx.ip,
  host: (ctx) => ctx.hostname,
  header: (ctx, name) => ctx.get(name) || undefined,
  user: (ctx) => (ctx.state as { user?: unknown }).user,
  // Koa has no per-address trust: with `app.proxy` on it trusts every peer's X-Forwarded-*
  // headers (koa/lib/request.js tests the setting's truthiness), so the same decision here.
  trustsProxy: (ctx) => Boolean(ctx.app.proxy),
};
