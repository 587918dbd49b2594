import type { Server } from 'node:http';
import { ConfigError } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as fastifyEvents } from '@authentik-events/fastify';
import { type AuthentikEventsOptions, authentikEvents } from '@authentik-events/hono';
import {
  type FakeAuthentik,
  type StoredEvent,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { createAdaptorServer } from '@hono/node-server';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { jwt, sign } from 'hono/jwt';
import { stream } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import { send } from './harness/http-client.js';
import { listenOnLoopback, stopServer } from './harness/listen.js';
import { afterThisTest, only, requestEvent } from './harness/scenario.js';

const TOKEN = 'tok3n-Recognisable-9c8b7a6f5e4d';
const VALID = { url: 'https://auth.example.com', token: TOKEN, app: 'hono-test' };
const JWT_SECRET = 'it-is-very-secret-and-long-enough';

interface HonoRun {
  fake: FakeAuthentik;
  baseUrl: string;
  events: ReturnType<typeof authentikEvents>;
  settled(n: number): Promise<StoredEvent[]>;
}

/** A fake, and a Hono app on a real socket with the middleware first in line; closed after the test. */
async function startHono(
  build: (app: Hono, events: ReturnType<typeof authentikEvents>) => void,
  options: AuthentikEventsOptions = {},
  fakeOptions: Parameters<typeof startFakeAuthentik>[0] = {},
): Promise<HonoRun> {
  const fake = await startFakeAuthentik({ quiet: true, ...fakeOptions });
  afterThisTest(() => fake.close());
  const events = authentikEvents({
    url: fake.url,
    token: fake.token,
    app: 'hono-test',
    flushIntervalMs: 10,
    ...options,
  });
  afterThisTest(() => events.close({ timeoutMs: 1000 }));
  const app = new Hono();
  app.use(events);
  build(app, events);
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const baseUrl = await listenOnLoopback(server);
  afterThisTest(() => stopServer(server));
  return {
    fake,
    baseUrl,
    events,
    async settled(n) {
      await fake.waitForEvents(n);
      await events.client.flush({ timeoutMs: 5000 });
      return fake.events;
    },
  };
}

function configError(make: () => unknown): ConfigError {
  let thrown: unknown;
  try {
    make();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

describe('hono: trustProxy, the proxy rule Hono does not have', () => {
  it.each([
    ['a host name', 'localhost', 'trustProxy', /"localhost"/],
    ['a bad entry of a list', ['127.0.0.1', 'lan'], 'trustProxy.1', /"lan"/],
    ['a negative hop count', -1, 'trustProxy', /hop count/],
    ['a subnet past /32', '10.0.0.0/40', 'trustProxy', /prefix length/],
    ['an object', { proxies: ['10.0.0.1'] }, 'trustProxy', /must be true, false/],
    ['misspelt', undefined, 'trustproxy', /did you mean "trustProxy"/],
  ])('%s: a ConfigError naming it', (_name, setting, option, message) => {
    const given =
      option === 'trustproxy' ? { ...VALID, trustproxy: true } : { ...VALID, trustProxy: setting };
    const error = configError(() => authentikEvents(given as never));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(TOKEN);
  });

  it('the adapters of frameworks with a setting of their own refuse it, naming that setting', async () => {
    const error = configError(() => expressEvents({ ...VALID, trustProxy: true } as never));
    expect(error.option).toBe('trustProxy');
    expect(error.message).toContain("app.set('trust proxy'");
    const app = Fastify();
    await expect(
      app.register(fastifyEvents, { ...VALID, trustProxy: true } as never),
    ).rejects.toThrow(/trustProxy.*Fastify\(\{ trustProxy \}\)/);
    await app.close();
  });

  it('a forged X-Forwarded-For counts for nothing by default, or from a peer not trusted', async () => {
    for (const trustProxy of [undefined, false, '10.0.0.0/8', () => false]) {
      const run = await startHono((app) => app.get('/', (c) => c.text('ok')), {
        ...(trustProxy === undefined ? {} : { trustProxy }),
      });
      await send(run.baseUrl, { path: '/', headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(requestEvent(await run.settled(1)).client_ip).toBe('127.0.0.1');
    }
  });

  it('a trust function that throws trusts nobody, and the request is answered', async () => {
    const run = await startHono((app) => app.get('/', (c) => c.text('ok')), {
      trustProxy: () => {
        throw new Error('trust service offline');
      },
    });
    const answer = await send(run.baseUrl, {
      path: '/',
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'forged-id' },
    });
    expect(answer.status).toBe(200);
    const event = requestEvent(await run.settled(1));
    expect(event.client_ip).toBe('127.0.0.1');
    expect(event.context.http_request).not.toMatchObject({ request_id: 'forged-id' });
  });

  it('X-Forwarded-Host picks the brand only behind a trusted proxy', async () => {
    const brands = [
      {
        brand_uuid: '1b2c3d4e-0000-4000-8000-000000000001',
        domain: 'authentik-default',
        default: true,
      },
      { brand_uuid: '1b2c3d4e-0000-4000-8000-000000000002', domain: 'shop.example.com' },
    ];
    const names: unknown[] = [];
    for (const trustProxy of [false, 'loopback']) {
      const run = await startHono(
        (app) => app.get('/', (c) => c.text('ok')),
        { brand: 'lookup', trustProxy },
        { brands },
      );
      await send(run.baseUrl, {
        path: '/',
        headers: { host: 'other.org', 'x-forwarded-host': 'shop.example.com, proxy.internal' },
      });
      names.push(requestEvent(await run.settled(1)).brand.name);
    }
    expect(names).toEqual(['Default brand', 'Brand shop.example.com']);
  });
});

describe('hono: errors, through app.onError', () => {
  it('an HTTPException below 500 is the client mistake; one of 503 is a system_exception', async () => {
    const run = await startHono((app) => {
      app.get('/private', () => {
        throw new HTTPException(401, { message: 'log in first' });
      });
      app.get('/maintenance', () => {
        throw new HTTPException(503, { message: 'down for maintenance' });
      });
      app.onError((error, c) =>
        error instanceof HTTPException ? error.getResponse() : c.text('internal', 500),
      );
    });
    expect((await send(run.baseUrl, { path: '/private' })).status).toBe(401);
    expect((await send(run.baseUrl, { path: '/maintenance' })).status).toBe(503);

    const events = await run.settled(3);
    expect(events).toHaveLength(3);
    expect(only(events, 'system_exception').context).toMatchObject({
      message: 'down for maintenance',
      exception: 'Error',
      status: 503,
      http_request: { path: '/maintenance' },
    });
  });

  it('a middleware used again in a sub-app records its requests once', async () => {
    const run = await startHono((app, events) => {
      const api = new Hono();
      api.use(events);
      api.get('/ping', (c) => {
        c.get('authentik').emit('custom_ping');
        return c.text('pong');
      });
      app.route('/api', api);
    });
    expect((await send(run.baseUrl, { path: '/api/ping' })).status).toBe(200);
    const events = await run.settled(2);
    expect(events).toHaveLength(2);
    expect(only(events, 'custom_', 'ping').context.http_request).toEqual(
      requestEvent(events).context.http_request,
    );
  });
});

describe('hono: users and responses', () => {
  it('maps the claims hono/jwt verified; a bad token is a 401 with no user', async () => {
    const run = await startHono((app) => {
      app.use('/auth/*', jwt({ secret: JWT_SECRET, alg: 'HS256' }));
      app.get('/auth/me', (c) => c.text('ok'));
    });
    const token = await sign(
      { sub: 'u-42', preferred_username: 'jane', email: 'jane@example.com', role: 'admin' },
      JWT_SECRET,
      'HS256',
    );
    await send(run.baseUrl, { path: '/auth/me', headers: { authorization: `Bearer ${token}` } });
    await send(run.baseUrl, {
      path: '/auth/me',
      headers: { authorization: 'Bearer forged.token.x' },
    });

    const events = await run.settled(2);
    expect(events.map((event) => [event.context.status, event.user])).toEqual([
      [200, { pk: 'u-42', username: 'jane', email: 'jane@example.com' }],
      [401, {}],
    ]);
    expect(events.filter((event) => event.action === 'system_exception')).toEqual([]);
  });

  it('a streamed answer is recorded when Node has sent all of it', async () => {
    const run = await startHono((app) =>
      app.get('/export', (c) =>
        stream(c, async (body) => {
          for (const chunk of ['a', 'b', 'c']) {
            await body.write(chunk);
            await body.sleep(40);
          }
        }),
      ),
    );
    const answer = await send(run.baseUrl, { path: '/export' });
    expect(answer.body).toBe('abc');
    const { context } = requestEvent(await run.settled(1));
    expect(context.status).toBe(200);
    // Timers may fire a millisecond early; three 40 ms pauses.
    expect(context.duration_ms).toBeGreaterThanOrEqual(110);
  });

  it('without a Node server (app.request in a test) it still records, by the Response', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    afterThisTest(() => fake.close());
    const events = authentikEvents({ url: fake.url, token: fake.token, app: 'hono-test' });
    afterThisTest(() => events.close({ timeoutMs: 1000 }));
    const app = new Hono();
    app.use(events);
    app.post('/orders', (c) => c.json({ emitted: c.get('authentik').emit('custom_order') }, 201));

    const response = await app.request('/orders?page=2', { method: 'POST' });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ emitted: true });
    await events.client.flush({ timeoutMs: 5000 });
    const event = requestEvent(fake.events);
    expect(event).toMatchObject({
      client_ip: null,
      context: {
        status: 201,
        http_request: { path: '/orders', method: 'POST', args: { page: '2' } },
      },
    });
  });
});
