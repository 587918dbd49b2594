import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryReport, EventClient, RequestEvents } from '@authentik-events/core';

/** The adapters (and NestJS platforms) every app under test can run on. */
export type Framework = 'express' | 'koa' | 'fastify' | 'hono' | 'nest-express' | 'nest-fastify';
export const FRAMEWORKS: readonly Framework[] = [
  'express',
  'koa',
  'fastify',
  'hono',
  'nest-express',
  'nest-fastify',
];

/** A route's work: it gets the request's `authentik` API; what it throws is recorded, not sent up. */
export type RouteHandler = (events: RequestEvents) => void;

export interface AppOptions {
  framework: Framework;
  /** The adapter's options (the same set for every framework). */
  // biome-ignore lint/suspicious/noExplicitAny: callbacks get each framework's own request type
  adapter: Record<string, any>;
  /** GET routes besides `/` (which answers "ok"); every route answers 200 "ok". */
  routes?: Record<string, RouteHandler>;
  /** Trust the proxy in front (Express `trust proxy`, Koa `app.proxy`, Fastify `trustProxy`, Hono's adapter `trustProxy`). */
  trustProxy?: boolean;
  /** Set as the framework's conventional user (`req.user`, `ctx.state.user`, `request.user`, `c.get('user')`). */
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

export function runRoute(
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

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function stopServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
