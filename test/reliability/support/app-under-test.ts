import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryReport, EventClient, RequestEvents } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as fastifyEvents } from '@authentik-events/fastify';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

export type Framework = 'express' | 'koa' | 'fastify';
export const FRAMEWORKS: readonly Framework[] = ['express', 'koa', 'fastify'];

/** A route's work: it gets the request's `authentik` API; what it throws is recorded, not sent up. */
export type RouteHandler = (events: RequestEvents) => void;

export interface AppOptions {
  framework: Framework;
  /** The adapter's options (the same set for all three frameworks). */
  // biome-ignore lint/suspicious/noExplicitAny: callbacks get each framework's own request type
  adapter: Record<string, any>;
  /** GET routes besides `/` (which answers "ok"); every route answers 200 "ok". */
  routes?: Record<string, RouteHandler>;
  /** Trust the proxy in front (Express `trust proxy`, Koa `app.proxy`, Fastify `trustProxy`). */
  trustProxy?: boolean;
  /** Set as the framework's conventional user (`req.user`, `ctx.state.user`, `request.user`). */
  requestUser?: Record<string, unknown>;
}

export interface AppUnderTest {
  framework: Framework;
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  client: EventClient;
  /** Anything a route's use of the adapter threw: must stay empty, telemetry never throws into the app. */
  appErrors: unknown[];
  /** Stops the server, then closes the adapter's client; resolves with the client's close report. */
  close(timeoutMs?: number): Promise<DeliveryReport>;
}

function runRoute(
  handler: RouteHandler | undefined,
  events: RequestEvents,
  appErrors: unknown[],
): void {
  try {
    handler?.(events);
  } catch (error) {
    appErrors.push(error);
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function stopServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

async function startExpress(options: AppOptions, appErrors: unknown[]): Promise<AppUnderTest> {
  const events = expressEvents(options.adapter);
  const app = express();
  if (options.trustProxy) app.set('trust proxy', true);
  if (options.requestUser) {
    app.use((req, _res, next) => {
      (req as { user?: unknown }).user = options.requestUser;
      next();
    });
  }
  app.use(events);
  app.get('/', (_req, res) => {
    res.send('ok');
  });
  for (const [path, handler] of Object.entries(options.routes ?? {})) {
    app.get(path, (req, res) => {
      runRoute(handler, req.authentik, appErrors);
      res.send('ok');
    });
  }
  app.use(events.errorHandler);
  const server = createServer(app);
  const url = await listen(server);
  return {
    framework: 'express',
    url,
    client: events.client,
    appErrors,
    async close(timeoutMs) {
      await stopServer(server);
      return (await events.close({ timeoutMs })) as DeliveryReport;
    },
  };
}

async function startKoa(options: AppOptions, appErrors: unknown[]): Promise<AppUnderTest> {
  const events = koaEvents(options.adapter);
  const app = new Koa({ proxy: options.trustProxy ?? false });
  if (options.requestUser) {
    app.use(async (ctx, next) => {
      ctx.state.user = options.requestUser;
      await next();
    });
  }
  app.use(events);
  app.use(async (ctx) => {
    const handler = options.routes?.[ctx.path];
    if (ctx.path !== '/' && handler === undefined) return;
    runRoute(handler, ctx.authentik, appErrors);
    ctx.body = 'ok';
  });
  const server = createServer(app.callback());
  const url = await listen(server);
  return {
    framework: 'koa',
    url,
    client: events.client,
    appErrors,
    async close(timeoutMs) {
      await stopServer(server);
      return (await events.close({ timeoutMs })) as DeliveryReport;
    },
  };
}

async function startFastify(options: AppOptions, appErrors: unknown[]): Promise<AppUnderTest> {
  const app = Fastify({ trustProxy: options.trustProxy ?? false });
  if (options.requestUser) {
    app.decorateRequest('user', null);
    app.addHook('onRequest', async (request) => {
      (request as { user?: unknown }).user = options.requestUser;
    });
  }
  await app.register(fastifyEvents, options.adapter);
  app.get('/', async () => 'ok');
  for (const [path, handler] of Object.entries(options.routes ?? {})) {
    app.get(path, async (request) => {
      runRoute(handler, request.authentik, appErrors);
      return 'ok';
    });
  }
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = app.authentikEvents;
  return {
    framework: 'fastify',
    url,
    client,
    appErrors,
    async close(timeoutMs) {
      // The plugin closes the client it created in onClose, with the default deadline; close()
      // is idempotent and the first call decides, so the test's deadline goes first (the load
      // is over by now, so no request can arrive in between).
      const report = await client.close({ timeoutMs });
      await app.close();
      return report;
    },
  };
}

/** Starts a real app of the given framework with the adapter, on a real socket. */
export function startApp(options: AppOptions): Promise<AppUnderTest> {
  const appErrors: unknown[] = [];
  if (options.framework === 'express') return startExpress(options, appErrors);
  if (options.framework === 'koa') return startKoa(options, appErrors);
  return startFastify(options, appErrors);
}
