import type { Span } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LOGIN_PASSWORD } from '../adapters/harness/routes.js';
import {
  only,
  requestEvent,
  sendExpecting,
  settled,
  startScenario,
} from '../adapters/harness/scenario.js';
import { FRAMEWORKS, type RequestListener } from '../adapters/harness/types.js';
import { idsOf, tracer, useRealTracer } from './tracer.js';

useRealTracer();

/**
 * Starts a server span around each request where the http server calls the app, as
 * OpenTelemetry's http instrumentation does, and keeps the spans in order.
 */
function tracedRequests(): {
  spans: Span[];
  wrapListener: (listener: RequestListener) => RequestListener;
} {
  const spans: Span[] = [];
  return {
    spans,
    wrapListener: (listener) => (req, res) =>
      tracer().startActiveSpan(`${req.method} ${req.url}`, (span) => {
        spans.push(span);
        res.on('close', () => span.end());
        listener(req, res);
      }),
  };
}

describe.each(FRAMEWORKS)('trace ids of a request (%s)', (framework) => {
  it("every event of a request carries the ids of the request's span", async () => {
    const traced = tracedRequests();
    const scenario = await startScenario(framework, {
      harness: { wrapListener: traced.wrapListener },
    });
    await sendExpecting(scenario.app, 200, { path: '/hello' });
    await sendExpecting(scenario.app, 200, {
      method: 'POST',
      path: '/login',
      json: { username: 'jane', password: LOGIN_PASSWORD },
    });
    await sendExpecting(scenario.app, 500, { path: '/boom' });
    const events = await settled(scenario, 5);
    const [hello, login, boom] = traced.spans.map((span) => idsOf(span as Span));
    const byPath = (path: string) =>
      events.filter((e) => (e.context.http_request as { path: string }).path === path);
    expect(requestEvent(byPath('/hello')).context).toMatchObject(hello as object);
    expect(requestEvent(byPath('/login')).context).toMatchObject(login as object);
    expect(only(byPath('/login'), 'login').context).toMatchObject(login as object);
    expect(requestEvent(byPath('/boom')).context).toMatchObject(boom as object);
    expect(only(byPath('/boom'), 'system_exception').context).toMatchObject(boom as object);
    expect(new Set([hello, login, boom].map((ids) => ids?.trace_id)).size).toBe(3);
  });

  it('a request outside any span carries no ids', async () => {
    const scenario = await startScenario(framework);
    await sendExpecting(scenario.app, 200, { path: '/hello' });
    const [event] = await settled(scenario, 1);
    expect(event?.context).not.toHaveProperty('trace_id');
    expect(event?.context).not.toHaveProperty('span_id');
  });
});
