import { createServer } from 'node:http';
import { authentikEvents } from '@authentik-events/fastify';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { once } from './listen.js';
import {
  ASYNC_ERROR_MESSAGE,
  type LoginBody,
  loginOutcome,
  Signal,
  SYNC_ERROR_MESSAGE,
  untilClosed,
} from './routes.js';
import type { AppHandle, EventsOptions, HarnessOptions, RequestListener } from './types.js';

/** Fastify's `serverFactory` for a listener wrapped as `wrap` says. */
function wrappedServer(wrap: NonNullable<HarnessOptions['wrapListener']>) {
  return (handler: RequestListener) => createServer(wrap(handler));
}

/** A Fastify app (5, or 4 through the `fastify4` alias) with the plugin registered as its README says. */
export async function startFastifyApp(
  framework: 'fastify5' | 'fastify4',
  options: EventsOptions,
  harness: HarnessOptions,
): Promise<AppHandle> {
  // Fastify 4 ships its own (older) types; the harness uses only what both majors share.
  const create = framework === 'fastify5' ? Fastify : (Fastify4 as unknown as typeof Fastify);
  const app = create({
    // Fastify 5's types leave out the hop count it still takes (and treats as trusting no peer).
    trustProxy: (harness.trustProxy ?? false) as boolean,
    ...(harness.requestIdHeader === undefined ? {} : { requestIdHeader: harness.requestIdHeader }),
    ...(harness.wrapListener === undefined
      ? {}
      : { serverFactory: wrappedServer(harness.wrapListener) }),
  });
  await app.register(authentikEvents, options);
  const slow = new Signal();
  // What @fastify/passport and @fastify/jwt declare.
  app.decorateRequest('user', null);

  app.get('/hello', async (request) => ({
    requestId: request.authentik.requestId,
    fastifyRequestId: request.id,
  }));
  app.get('/health', async () => 'ok');
  app.post('/login', async (request, reply) => {
    const outcome = loginOutcome(request.body as LoginBody | undefined);
    request.authentik.emit(outcome.action, outcome.options);
    reply.code(outcome.status);
    return { ok: outcome.status === 200 };
  });
  app.post('/orders', async (request, reply) => {
    const emitted = request.authentik.emit('custom_order_placed', { context: { order_id: 'A-1' } });
    reply.code(201);
    return { emitted };
  });
  app.get('/me', async (request) => {
    (request as { user?: unknown }).user = harness.sessionUser;
    return { ok: true };
  });
  app.get('/boom', () => {
    throw new Error(SYNC_ERROR_MESSAGE);
  });
  app.get('/boom-async', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(ASYNC_ERROR_MESSAGE);
  });
  app.get('/unavailable', async (_request, reply) => {
    reply.code(503);
    return { detail: 'maintenance' };
  });
  app.get('/slow', async (_request, reply) => {
    slow.fire();
    await untilClosed(reply.raw);
    return 'late';
  });

  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    framework,
    baseUrl,
    client: app.authentikEvents,
    slowStarted: () => slow.wait(),
    shutdown: once(() => app.close()),
  };
}
