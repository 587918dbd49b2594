import {
  type CheckResult,
  createEventClient,
  registerOpenTelemetryMetrics,
  registerPrometheusMetrics,
  withFlush,
} from '@authentik-events/core';
import { authentikEvents } from '@authentik-events/express';
import { metrics } from '@opentelemetry/api';
import { type Request, Router } from 'express';
import { Registry, register } from 'prom-client';
import { describe, expectTypeOf, test } from 'vitest';

describe('operations: the types an app writes against', () => {
  const client = createEventClient({ url: 'http://127.0.0.1:9000', token: 't', app: 'shop' });

  test("metrics take prom-client's registries and @opentelemetry/api's Meter as they are", () => {
    expectTypeOf(registerPrometheusMetrics(client, new Registry())).toEqualTypeOf<() => void>();
    registerPrometheusMetrics(client, register, { prefix: 'shop_events_' });
    expectTypeOf(registerOpenTelemetryMetrics(client, metrics.getMeter('shop'))).toEqualTypeOf<
      () => void
    >();
  });

  test('check() on the client and the middleware', () => {
    expectTypeOf(client.check()).toEqualTypeOf<Promise<CheckResult>>();
    const events = authentikEvents({
      client,
      autoLog: { sample: (req: Request) => req.path !== '/' },
    });
    expectTypeOf(events.check({ sendTestEvent: true, timeoutMs: 3000 })).toEqualTypeOf<
      Promise<CheckResult>
    >();
    Router().get('/ready', async (_req, res) => {
      const { ok, problems } = await events.check();
      res.status(ok ? 200 : 503).json(problems);
    });
    // @ts-expect-error a share is a number
    authentikEvents({ client, autoLog: { sample: '10%' } });
  });

  test('withFlush keeps the handler its arguments and result, as a promise', () => {
    const handler = withFlush(client, async (event: { id: string }) => ({
      statusCode: 200,
      id: event.id,
    }));
    expectTypeOf(handler).parameters.toEqualTypeOf<[{ id: string }]>();
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<{ statusCode: number; id: string }>>();
  });
});
