import type { Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { authentikEvents } from '@authentik-events/hono';
import { createAdaptorServer, getRequestListener, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { listenOnLoopback, once, stopServer } from './listen.js';
import {
  ASYNC_ERROR_MESSAGE,
  type LoginBody,
  loginOutcome,
  Signal,
  SYNC_ERROR_MESSAGE,
  untilClosed,
} from './routes.js';
import type { AppHandle, EventsOptions, HarnessOptions } from './types.js';

/**
 * A Hono app on `@hono/node-server` with the middleware first in line and errors answered by
 * `app.onError`, as the adapter's README says. Hono has no trust-proxy setting of its own: the
 * harness's trust setting is the adapter's `trustProxy` option.
 */
export async function startHonoApp(
  options: EventsOptions,
  harness: HarnessOptions,
): Promise<AppHandle> {
  const events = authentikEvents({
    ...options,
    ...(harness.trustProxy === undefined ? {} : { trustProxy: harness.trustProxy }),
  } as Parameters<typeof authentikEvents>[0]);
  const slow = new Signal();
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.use(events);
  app.get('/hello', (c) => c.json({ requestId: c.get('authentik').requestId }));
  app.get('/health', (c) => c.text('ok'));
  app.post('/login', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as LoginBody | undefined;
    const outcome = loginOutcome(body);
    c.get('authentik').emit(outcome.action, outcome.options);
    return c.json({ ok: outcome.status === 200 }, outcome.status);
  });
  app.post('/orders', (c) => {
    const emitted = c.var.authentik.emit('custom_order_placed', { context: { order_id: 'A-1' } });
    return c.json({ emitted }, 201);
  });
  app.get('/me', (c) => {
    // Where Hono's auth middleware conventionally leave the user.
    c.set('user' as never, harness.sessionUser as never);
    return c.json({ ok: true });
  });
  app.get('/boom', () => {
    throw new Error(SYNC_ERROR_MESSAGE);
  });
  app.get('/boom-async', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(ASYNC_ERROR_MESSAGE);
  });
  app.get('/unavailable', (c) => c.json({ detail: 'maintenance' }, 503));
  app.get('/slow', async (c) => {
    slow.fire();
    await untilClosed(c.env.outgoing as ServerResponse);
    return c.text('late');
  });
  app.onError((_error, c) => c.json({ error: 'internal' }, 500));

  // With a listener wrapper (a tracer's server span), the server is made around Hono's listener.
  const server = harness.wrapListener
    ? createServer(harness.wrapListener(getRequestListener(app.fetch)))
    : (createAdaptorServer({ fetch: app.fetch }) as Server);
  const baseUrl = await listenOnLoopback(server);
  return {
    framework: 'hono',
    baseUrl,
    client: events.client,
    slowStarted: () => slow.wait(),
    shutdown: once(async () => {
      await stopServer(server);
      await events.close();
    }),
  };
}
