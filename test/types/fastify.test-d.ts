import type { EventClient, RequestEvents } from '@authentik-events/core';
import { authentikEvents } from '@authentik-events/fastify';
import Fastify, { type FastifyRequest } from 'fastify';
import { describe, expectTypeOf, test } from 'vitest';

describe('@authentik-events/fastify types', () => {
  test('request.authentik is added to every request and emit returns boolean', async () => {
    const app = Fastify();
    await app.register(authentikEvents, { url: 'http://127.0.0.1:9000', token: 't', app: 'shop' });
    expectTypeOf(app.authentikEvents).toEqualTypeOf<EventClient>();
    app.post('/login', async (request) => {
      expectTypeOf(request.authentik).toEqualTypeOf<RequestEvents>();
      expectTypeOf(request.authentik.emit('login')).toEqualTypeOf<boolean>();
      request.authentik.emit('custom_anything');
      // @ts-expect-error not one of authentik's actions and not custom_<name>
      request.authentik.emit('not_an_action');
      return { ok: true };
    });
  });

  test('register checks the options, callbacks get the Fastify request', async () => {
    const app = Fastify();
    await app.register(authentikEvents, {
      userLookup: { ttlMs: 60_000 },
      user: (request) => {
        expectTypeOf(request).toEqualTypeOf<FastifyRequest>();
        return undefined;
      },
    });
    // @ts-expect-error batchSize is a number
    await app.register(authentikEvents, { batchSize: 'x' });
    // @ts-expect-error includeStack is a boolean
    await app.register(authentikEvents, { includeStack: 1 });
  });
});
