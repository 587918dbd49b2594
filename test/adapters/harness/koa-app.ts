import { createServer } from 'node:http';
import { authentikEvents } from '@authentik-events/koa';
import Router from '@koa/router';
import Koa from 'koa';
import Koa2 from 'koa2';
import { listenOnLoopback, once, stopServer } from './listen.js';
import {
  ASYNC_ERROR_MESSAGE,
  type LoginBody,
  loginOutcome,
  readJsonBody,
  Signal,
  SYNC_ERROR_MESSAGE,
  untilClosed,
} from './routes.js';
import type { AppHandle, EventsOptions, HarnessOptions } from './types.js';

/** A Koa app (3, or 2 through the `koa2` alias) with @koa/router and the adapter first in line. */
export async function startKoaApp(
  framework: 'koa3' | 'koa2',
  options: EventsOptions,
  harness: HarnessOptions,
): Promise<AppHandle> {
  const app = framework === 'koa3' ? new Koa() : new Koa2();
  // Koa prints every 500 to stderr unless silenced; the tests read the events instead.
  app.silent = true;
  if (harness.trustProxy) app.proxy = true;
  const events = authentikEvents(options);
  const slow = new Signal();
  const router = new Router();

  router.get('/hello', (ctx) => {
    ctx.body = { requestId: ctx.authentik.requestId };
  });
  router.get('/health', (ctx) => {
    ctx.body = 'ok';
  });
  router.post('/login', async (ctx) => {
    const outcome = loginOutcome((await readJsonBody(ctx.req)) as LoginBody | undefined);
    ctx.authentik.emit(outcome.action, outcome.options);
    ctx.status = outcome.status;
    ctx.body = { ok: outcome.status === 200 };
  });
  router.post('/orders', (ctx) => {
    const emitted = ctx.authentik.emit('custom_order_placed', { context: { order_id: 'A-1' } });
    ctx.status = 201;
    ctx.body = { emitted };
  });
  router.get('/me', (ctx) => {
    // Where koa-passport and most Koa auth middleware put the user.
    ctx.state.user = harness.sessionUser;
    ctx.body = { ok: true };
  });
  router.get('/boom', () => {
    throw new Error(SYNC_ERROR_MESSAGE);
  });
  router.get('/boom-async', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(ASYNC_ERROR_MESSAGE);
  });
  router.get('/unavailable', (ctx) => {
    ctx.status = 503;
    ctx.body = { detail: 'maintenance' };
  });
  router.get('/slow', async (ctx) => {
    slow.fire();
    await untilClosed(ctx.res);
    ctx.body = 'late';
  });
  app.use(events);
  app.use(router.routes());
  app.use(router.allowedMethods());

  const listener = app.callback();
  const server = createServer(harness.wrapListener ? harness.wrapListener(listener) : listener);
  const baseUrl = await listenOnLoopback(server);
  return {
    framework,
    baseUrl,
    client: events.client,
    slowStarted: () => slow.wait(),
    shutdown: once(async () => {
      await stopServer(server);
      await events.close();
    }),
  };
}
