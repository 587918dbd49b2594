import type { DeliveryReport, EventClient, RequestEvents } from '@authentik-events/core';
import { type AuthentikEventsMiddleware, authentikEvents } from '@authentik-events/koa';
import Koa, { type Context } from 'koa';
import { describe, expectTypeOf, test } from 'vitest';

describe('@authentik-events/koa types', () => {
  test('ctx.authentik is added to every context and emit returns boolean', () => {
    const app = new Koa();
    app.use(authentikEvents());
    app.use((ctx) => {
      expectTypeOf(ctx.authentik).toEqualTypeOf<RequestEvents>();
      expectTypeOf(ctx.authentik.emit('login')).toEqualTypeOf<boolean>();
      ctx.authentik.emit('custom_anything', { context: { order: 1 } });
      // @ts-expect-error not one of authentik's actions and not custom_<name>
      ctx.authentik.emit('not_an_action');
      // @ts-expect-error the action is a string
      ctx.authentik.emit(42);
    });
  });

  test('the middleware carries its client and close', () => {
    const events = authentikEvents();
    expectTypeOf(events).toEqualTypeOf<AuthentikEventsMiddleware>();
    expectTypeOf(events.client).toEqualTypeOf<EventClient>();
    expectTypeOf(events.close).returns.resolves.toEqualTypeOf<DeliveryReport | undefined>();
  });

  test('options are typed, callbacks get the Koa context', () => {
    authentikEvents({
      flushIntervalMs: 500,
      context: (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        return { tenant: ctx.hostname };
      },
    });
    // @ts-expect-error batchSize is a number
    authentikEvents({ batchSize: 'x' });
    // @ts-expect-error autoLog is a boolean
    authentikEvents({ autoLog: 'yes' });
  });
});
