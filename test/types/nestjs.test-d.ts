import type { EventClient, RequestEvents } from '@authentik-events/core';
import {
  type AuthentikEvents,
  AuthentikEventsModule,
  type NestHttpRequest,
} from '@authentik-events/nestjs';
import type { DynamicModule } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { describe, expectTypeOf, test } from 'vitest';

declare const events: AuthentikEvents;

describe('@authentik-events/nestjs types', () => {
  test('forRoot and forRootAsync make a DynamicModule', () => {
    expectTypeOf(AuthentikEventsModule.forRoot({ app: 'shop' })).toEqualTypeOf<DynamicModule>();
    expectTypeOf(
      AuthentikEventsModule.forRootAsync({
        inject: ['CONFIG'],
        useFactory: async (config: { url: string }) => ({ url: config.url }),
      }),
    ).toEqualTypeOf<DynamicModule>();
  });

  test('callbacks get a request of either platform, or the one named', () => {
    AuthentikEventsModule.forRoot({
      isGlobal: false,
      user: (request) => {
        expectTypeOf(request).toEqualTypeOf<NestHttpRequest>();
        return undefined;
      },
    });
    AuthentikEventsModule.forRoot<FastifyRequest>({
      context: (request) => ({ route: request.routeOptions.url }),
    });
    // @ts-expect-error isGlobal is a boolean
    AuthentikEventsModule.forRoot({ isGlobal: 'yes' });
    // @ts-expect-error unknown option
    AuthentikEventsModule.forRoot({ autolog: false });
    // @ts-expect-error useFactory is required
    AuthentikEventsModule.forRootAsync({ inject: [] });
  });

  test('the service emits typed actions and exposes the request and client', () => {
    expectTypeOf(events.emit('login')).toEqualTypeOf<boolean>();
    events.emit('login_failed', { context: { username: 'jane' }, user: { username: 'jane' } });
    events.emit('custom_invoice_paid');
    // @ts-expect-error not one of authentik's actions and not custom_<name>
    events.emit('not_an_action');
    // @ts-expect-error the context is an object
    events.emit('login', { context: 'jane' });
    expectTypeOf(events.request).toEqualTypeOf<RequestEvents | undefined>();
    expectTypeOf(events.client).toEqualTypeOf<EventClient>();
  });
});
