import type { EventClient, RequestEvents } from '@authentik-events/core';
import { type AuthentikEventsMiddleware, authentikEvents } from '@authentik-events/express';
import express, { type Request } from 'express';
import { describe, expectTypeOf, test } from 'vitest';

describe('@authentik-events/express types', () => {
  test('req.authentik is added to every request and emit returns boolean', () => {
    const app = express();
    app.post('/login', (req, res) => {
      expectTypeOf(req.authentik).toEqualTypeOf<RequestEvents>();
      expectTypeOf(req.authentik.emit('login')).toEqualTypeOf<boolean>();
      expectTypeOf(req.authentik.requestId).toEqualTypeOf<string>();
      req.authentik.emit('login_failed', {
        context: { username: 'jane' },
        user: { username: 'jane' },
      });
      req.authentik.emit('custom_anything');
      // @ts-expect-error not one of authentik's actions and not custom_<name>
      req.authentik.emit('not_an_action');
      // @ts-expect-error the context is an object
      req.authentik.emit('login', { context: 'jane' });
      res.sendStatus(204);
    });
  });

  test('the factory returns the middleware, its error handler, client and close', () => {
    const events = authentikEvents({ url: 'http://127.0.0.1:9000', token: 't', app: 'shop' });
    expectTypeOf(events).toEqualTypeOf<AuthentikEventsMiddleware>();
    expectTypeOf(events.client).toEqualTypeOf<EventClient>();
    express().use(events).use(events.errorHandler);
  });

  test('options are typed, callbacks get the Express request', () => {
    authentikEvents({
      batchSize: 10,
      ignore: ['/health', /^\/static\//],
      user: (req) => {
        expectTypeOf(req).toEqualTypeOf<Request>();
        return { pk: 1, username: 'jane' };
      },
      brand: 'lookup',
    });
    // @ts-expect-error batchSize is a number
    authentikEvents({ batchSize: 'x' });
    // @ts-expect-error brand is an object, a function or 'lookup'
    authentikEvents({ brand: 'auto' });
    // @ts-expect-error unknown option
    authentikEvents({ batchsize: 10 });
  });
});
