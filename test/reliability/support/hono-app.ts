import type { Server } from 'node:http';
import type { DeliveryReport } from '@authentik-events/core';
import { authentikEvents } from '@authentik-events/hono';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { type AppOptions, type AppUnderTest, listen, runRoute, stopServer } from './app-parts.js';

/** A Hono app on @hono/node-server; Hono has no trust setting, the adapter's `trustProxy` is it. */
export async function startHono(options: AppOptions, appErrors: unknown[]): Promise<AppUnderTest> {
  const events = authentikEvents({
    ...options.adapter,
    ...(options.trustProxy ? { trustProxy: true } : {}),
  });
  const app = new Hono();
  if (options.requestUser) {
    app.use(async (c, next) => {
      c.set('user' as never, options.requestUser as never);
      await next();
    });
  }
  app.use(events);
  app.get('/', (c) => c.text('ok'));
  for (const [path, handler] of Object.entries(options.routes ?? {})) {
    app.get(path, (c) => {
      runRoute(handler, c.get('authentik'), appErrors);
      return c.text('ok');
    });
  }
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const url = await listen(server);
  return {
    framework: 'hono',
    url,
    client: events.client,
    appErrors,
    async close(timeoutMs) {
      await stopServer(server);
      return (await events.close({ timeoutMs })) as DeliveryReport;
    },
  };
}
