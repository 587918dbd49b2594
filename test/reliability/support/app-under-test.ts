import { createServer } from 'node:http';
import type { DeliveryReport } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as fastifyEvents } from '@authentik-events/fastify';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { type AppOptions, type AppUnderTest, listen, runRoute, stopServer } from './app-parts.js';
import { startHono } from './hono-app.js';
import { startNest } from './nest-app.js';

export {
  type AppOptions,
  type AppUnderTest,
  FRAMEWORKS,
  type Framework,
  type RouteHandler,
} from './app-parts.js';

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
  if (options.framework === 'hono') return startHono(options, appErrors);
  if (options.framework === 'nest-express' || options.framework === 'nest-fastify')
    return startNest(options.framework, options, appErrors);
  return startFastify(options, appErrors);
}
