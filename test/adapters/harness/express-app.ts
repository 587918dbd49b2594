import { createServer } from 'node:http';
import { authentikEvents } from '@authentik-events/express';
import express, { type ErrorRequestHandler } from 'express';
import express4 from 'express4';
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

async function failLater(): Promise<never> {
  await new Promise((resolve) => setImmediate(resolve));
  throw new Error(ASYNC_ERROR_MESSAGE);
}

/** An Express app (5, or 4 through the `express4` alias) with the adapter mounted as its README says. */
export async function startExpressApp(
  framework: 'express5' | 'express4',
  options: EventsOptions,
  harness: HarnessOptions,
): Promise<AppHandle> {
  const createApp = framework === 'express5' ? express : express4;
  const app = createApp();
  if (harness.trustProxy !== undefined) app.set('trust proxy', harness.trustProxy);
  const events = authentikEvents(options);
  const slow = new Signal();

  app.use(events);
  app.use(createApp.json());
  app.get('/hello', (req, res) => {
    res.json({ requestId: req.authentik.requestId });
  });
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  app.post('/login', (req, res) => {
    const outcome = loginOutcome(req.body as LoginBody | undefined);
    req.authentik.emit(outcome.action, outcome.options);
    res.status(outcome.status).json({ ok: outcome.status === 200 });
  });
  app.post('/orders', (req, res) => {
    const emitted = req.authentik.emit('custom_order_placed', { context: { order_id: 'A-1' } });
    res.status(201).json({ emitted });
  });
  app.get('/me', (req, res) => {
    // What passport's deserializeUser leaves behind.
    (req as { user?: unknown }).user = harness.sessionUser;
    res.json({ ok: true });
  });
  app.get('/boom', () => {
    throw new Error(SYNC_ERROR_MESSAGE);
  });
  if (framework === 'express5') {
    // Express 5 forwards a rejected promise to the error handlers itself.
    app.get('/boom-async', async () => failLater());
  } else {
    // Express 4 does not: apps pass the rejection to next().
    app.get('/boom-async', (_req, _res, next) => {
      failLater().catch(next);
    });
  }
  app.get('/unavailable', (_req, res) => {
    res.status(503).json({ detail: 'maintenance' });
  });
  app.get('/slow', (_req, res) => {
    slow.fire();
    untilClosed(res).then(() => {
      if (!res.headersSent && !res.destroyed) res.send('late');
    });
  });
  app.use(events.errorHandler);
  const finalHandler: ErrorRequestHandler = (_error, _req, res, _next) => {
    res.status(500).json({ error: 'internal' });
  };
  app.use(finalHandler);

  const server = createServer(harness.wrapListener ? harness.wrapListener(app) : app);
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
