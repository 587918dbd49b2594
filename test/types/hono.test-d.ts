import type { EventClient, RequestEvents } from '@authentik-events/core';
import {
  type AuthentikEventsMiddleware,
  type AuthentikEventsVariables,
  authentikEvents,
} from '@authentik-events/hono';
import { type Context, Hono } from 'hono';
import { describe, expectTypeOf, test } from 'vitest';

describe('@authentik-events/hono types', () => {
  test("c.get('authentik') is typed on any app, and emit returns boolean", () => {
    const app = new Hono();
    app.use(authentikEvents({ url: 'http://127.0.0.1:9000', token: 't', app: 'shop' }));
    app.post('/login', (c) => {
      expectTypeOf(c.get('authentik')).toEqualTypeOf<RequestEvents>();
      expectTypeOf(c.var.authentik).toEqualTypeOf<RequestEvents>();
      expectTypeOf(c.get('authentik').emit('login')).toEqualTypeOf<boolean>();
      c.get('authentik').emit('login_failed', { context: { username: 'jane' } });
      c.get('authentik').emit('custom_anything');
      // @ts-expect-error not one of authentik's actions and not custom_<name>
      c.get('authentik').emit('not_an_action');
      // @ts-expect-error the context is an object
      c.get('authentik').emit('login', { context: 'jane' });
      return c.body(null, 204);
    });
  });

  test('an app typed with the Variables it exports', () => {
    const app = new Hono<{ Variables: AuthentikEventsVariables }>();
    app.get('/', (c) => {
      expectTypeOf(c.get('authentik')).toEqualTypeOf<RequestEvents>();
      return c.text(c.var.authentik.requestId);
    });
  });

  test('the factory returns a middleware with its client and close', () => {
    const events = authentikEvents();
    expectTypeOf(events).toEqualTypeOf<AuthentikEventsMiddleware>();
    expectTypeOf(events.client).toEqualTypeOf<EventClient>();
    new Hono().use(events);
  });

  test('options are typed, callbacks get the Context, trustProxy takes the forms Express takes', () => {
    authentikEvents({
      trustProxy: ['loopback', '10.0.0.0/8'],
      user: (c) => {
        expectTypeOf(c).toEqualTypeOf<Context>();
        return { username: c.req.header('x-user') };
      },
    });
    authentikEvents({ trustProxy: 1 });
    authentikEvents({ trustProxy: (address, hop) => address === '127.0.0.1' && hop === 0 });
    // @ts-expect-error trustProxy is no object
    authentikEvents({ trustProxy: { loopback: true } });
    // @ts-expect-error unknown option
    authentikEvents({ trustproxy: true });
  });
});
