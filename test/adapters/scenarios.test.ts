import { describe, expect, it } from 'vitest';
import { abortMidRequest, USER_AGENT } from './harness/http-client.js';
import { ASYNC_ERROR_MESSAGE, LOGIN_PASSWORD, SYNC_ERROR_MESSAGE } from './harness/routes.js';
import {
  APP_NAME,
  only,
  requestEvent,
  sendExpecting,
  settled,
  startScenario,
  UUID,
} from './harness/scenario.js';
import { FRAMEWORKS } from './harness/types.js';

// authentik's fallback brand: what the fake stores when an event carries none.
const FALLBACK_BRAND = expect.objectContaining({ name: 'Brand fallback' });

describe.each(FRAMEWORKS)('%s: requests, errors and the app own events', (framework) => {
  it('records a request with the facts where authentik puts its own', async () => {
    const scenario = await startScenario(framework);
    const answer = await sendExpecting(scenario.app, 200, { path: '/hello?q=1&q=2&page=3' });

    const [event] = await settled(scenario, 1);
    expect(scenario.fake.events).toHaveLength(1);
    expect(event).toEqual({
      pk: expect.stringMatching(UUID),
      action: 'custom_',
      app: APP_NAME,
      user: {},
      client_ip: '127.0.0.1',
      brand: FALLBACK_BRAND,
      created: expect.any(String),
      expires: expect.any(String),
      context: {
        custom_action: 'http_request',
        event_id: expect.stringMatching(UUID),
        status: 200,
        duration_ms: expect.any(Number),
        http_request: {
          path: '/hello',
          method: 'GET',
          args: { q: ['1', '2'], page: '3' },
          user_agent: USER_AGENT,
          request_id: answer.json().requestId,
        },
      },
    });
    expect(event?.context.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('records a successful login with the user the app names', async () => {
    const scenario = await startScenario(framework);
    await sendExpecting(scenario.app, 200, {
      method: 'POST',
      path: '/login',
      json: { username: 'jane', password: LOGIN_PASSWORD },
    });

    const events = await settled(scenario, 2);
    const login = only(events, 'login');
    expect(login.user).toEqual({ username: 'jane' });
    expect(login.client_ip).toBe('127.0.0.1');
    expect(login.context).toEqual({
      auth_method: 'password',
      event_id: expect.stringMatching(UUID),
      http_request: {
        path: '/login',
        method: 'POST',
        user_agent: USER_AGENT,
        request_id: expect.any(String),
      },
    });
    // The login and the request it happened in share the request id.
    expect(requestEvent(events).context.http_request).toEqual(login.context.http_request);
  });

  it('records a failed login with the name that was tried', async () => {
    const scenario = await startScenario(framework);
    await sendExpecting(scenario.app, 401, {
      method: 'POST',
      path: '/login',
      json: { username: 'mallory', password: 'guess' },
    });

    const events = await settled(scenario, 2);
    const failed = only(events, 'login_failed');
    expect(failed.user).toEqual({});
    expect(failed.context).toMatchObject({
      username: 'mallory',
      http_request: { path: '/login', method: 'POST' },
    });
    expect(failed.context).not.toHaveProperty('password');
    expect(requestEvent(events).context.status).toBe(401);
  });

  it('sends a custom action as custom_ with its name in the context, and emit returns true', async () => {
    const scenario = await startScenario(framework);
    const answer = await sendExpecting(scenario.app, 201, { method: 'POST', path: '/orders' });
    expect(answer.json()).toEqual({ emitted: true });

    const events = await settled(scenario, 2);
    const order = only(events, 'custom_', 'order_placed');
    expect(order.context).toMatchObject({
      order_id: 'A-1',
      http_request: { path: '/orders', method: 'POST' },
    });
  });

  it.each([
    ['/boom', SYNC_ERROR_MESSAGE],
    ['/boom-async', ASYNC_ERROR_MESSAGE],
  ])(
    'records an error thrown in %s as system_exception without its stack',
    async (path, message) => {
      const scenario = await startScenario(framework);
      await sendExpecting(scenario.app, 500, { path });

      const events = await settled(scenario, 2);
      expect(events).toHaveLength(2);
      expect(requestEvent(events).context.status).toBe(500);
      expect(only(events, 'system_exception').context).toEqual({
        message,
        exception: 'Error',
        status: 500,
        duration_ms: expect.any(Number),
        event_id: expect.stringMatching(UUID),
        http_request: {
          path,
          method: 'GET',
          user_agent: USER_AGENT,
          request_id: expect.any(String),
        },
      });
    },
  );

  it('puts the stack in system_exception when includeStack is on', async () => {
    const scenario = await startScenario(framework, { events: { includeStack: true } });
    await sendExpecting(scenario.app, 500, { path: '/boom' });

    const failure = only(await settled(scenario, 2), 'system_exception');
    expect(failure.context.message).toBe(SYNC_ERROR_MESSAGE);
    expect(failure.context.stack).toMatch(new RegExp(`^Error: ${SYNC_ERROR_MESSAGE}\\n\\s+at `));
  });

  it('records a 5xx answered without a throw as system_exception', async () => {
    const scenario = await startScenario(framework);
    await sendExpecting(scenario.app, 503, { path: '/unavailable' });

    const events = await settled(scenario, 2);
    expect(events).toHaveLength(2);
    expect(requestEvent(events).context.status).toBe(503);
    expect(only(events, 'system_exception').context).toMatchObject({
      message: 'the response had status 503',
      status: 503,
    });
  });

  it('records a request the client abandoned as aborted, with no status', async () => {
    const scenario = await startScenario(framework);
    // The client gives up 50 ms after the route started: the duration covers them.
    await abortMidRequest(scenario.app.baseUrl, '/slow', scenario.app.slowStarted(), 50);

    const events = await settled(scenario, 1);
    expect(events).toHaveLength(1);
    const { context } = requestEvent(events);
    expect(context).toMatchObject({
      aborted: true,
      status: null,
      http_request: { path: '/slow' },
    });
    // Timers may fire a millisecond early; the duration runs from the request's start.
    expect(context.duration_ms).toBeGreaterThanOrEqual(45);
  });

  it('records nothing for an ignored path', async () => {
    const scenario = await startScenario(framework);
    await sendExpecting(scenario.app, 200, { path: '/health' });
    await sendExpecting(scenario.app, 200, { path: '/hello' });

    const events = await settled(scenario, 1);
    expect(events.map((event) => event.context.http_request)).toEqual([
      expect.objectContaining({ path: '/hello' }),
    ]);
  });

  it('with autoLog off records no requests, but the app own events still go out', async () => {
    const scenario = await startScenario(framework, { events: { autoLog: false } });
    await sendExpecting(scenario.app, 200, { path: '/hello' });
    await sendExpecting(scenario.app, 200, {
      method: 'POST',
      path: '/login',
      json: { username: 'jane', password: LOGIN_PASSWORD },
    });

    const events = await settled(scenario, 1);
    expect(events.map((event) => event.action)).toEqual(['login']);
    expect(scenario.app.client.stats().emitted).toBe(1);
  });
});
