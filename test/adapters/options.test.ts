import { createServer } from 'node:http';
import { ConfigError, createEventClient } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as fastifyEvents } from '@authentik-events/fastify';
import { authentikEvents as honoEvents } from '@authentik-events/hono';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import { startFakeAuthentik } from '@authentik-events/testing';
import express from 'express';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { listenOnLoopback, stopServer } from './harness/listen.js';
import { createNestApp } from './harness/nest-app.js';
import {
  afterThisTest,
  fastOptions,
  only,
  requestEvent,
  sendExpecting,
  settled,
  startScenario,
} from './harness/scenario.js';
import { startApp } from './harness/start-app.js';
import { type EventsOptions, FRAMEWORKS, type Framework } from './harness/types.js';

const TOKEN = 'tok3n-Recognisable-9c8b7a6f5e4d';
/** The variable the client falls back to without a url option. */
const URL_VARIABLE = 'AUTHENTIK_URL';
const VALID = { url: 'https://auth.example.com', token: TOKEN, app: 'options-test' };

/**
 * Sets the adapter up as its README says and returns what it threw (Express, Koa, Hono), what
 * `register` rejected with (Fastify) or what made the Nest application fail to start;
 * `undefined` when it was accepted.
 */
async function setUpError(framework: Framework, options: unknown): Promise<unknown> {
  if (framework === 'nest-express' || framework === 'nest-fastify') {
    let app: Awaited<ReturnType<typeof createNestApp>> | undefined;
    try {
      app = await createNestApp(framework, options as EventsOptions, {});
      await app.init();
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await app?.close().catch(() => undefined);
    }
  }
  if (framework.startsWith('fastify')) {
    const create = framework === 'fastify5' ? Fastify : (Fastify4 as unknown as typeof Fastify);
    const app = create();
    try {
      await app.register(fastifyEvents, options as never);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await app.close().catch(() => undefined);
    }
  }
  try {
    const events = framework.startsWith('express')
      ? expressEvents(options as never)
      : framework === 'hono'
        ? honoEvents(options as never)
        : koaEvents(options as never);
    await events.close({ timeoutMs: 100 });
    return undefined;
  } catch (error) {
    return error;
  }
}

async function configError(framework: Framework, options: unknown): Promise<ConfigError> {
  const error = await setUpError(framework, options);
  expect(error, 'a ConfigError').toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

class NotACallback {}

const closedClient = () => {
  const client = createEventClient(VALID);
  void client.close({ timeoutMs: 0 });
  return client;
};

/** [what, options, the option the error names, the name it suggests]. */
const WRONG: Array<[string, () => Record<string, unknown>, string, string?]> = [
  ['userLookup.ttlMs negative', () => ({ userLookup: { ttlMs: -1 } }), 'userLookup.ttlMs'],
  [
    'userLookup.ttlMs 0 (lru-cache: never expires)',
    () => ({ userLookup: { ttlMs: 0 } }),
    'userLookup.ttlMs',
  ],
  [
    'userLookup.failureTtlMs 0',
    () => ({ userLookup: { failureTtlMs: 0 } }),
    'userLookup.failureTtlMs',
  ],
  [
    'userLookup.ttlMs beyond timers',
    () => ({ userLookup: { ttlMs: 2 ** 31 } }),
    'userLookup.ttlMs',
  ],
  [
    'userLookup.ttl misspelt',
    () => ({ userLookup: { ttl: 1000 } }),
    'userLookup.ttl',
    'userLookup.ttlMs',
  ],
  ['userLookup a string', () => ({ userLookup: 'yes' }), 'userLookup'],
  ['requestId.header a number', () => ({ requestId: { header: 42 } }), 'requestId.header'],
  [
    'requestId.header with a space',
    () => ({ requestId: { header: 'x request id' } }),
    'requestId.header',
  ],
  [
    'requestId.header with CRLF',
    () => ({ requestId: { header: 'x-id\r\nx' } }),
    'requestId.header',
  ],
  [
    'requestId.header naming a credential header',
    () => ({ requestId: { header: 'Authorization', trustHeader: true } }),
    'requestId.header',
  ],
  [
    'requestId.trust misspelt',
    () => ({ requestId: { trust: true } }),
    'requestId.trust',
    'requestId.trustHeader',
  ],
  ['brand.lookup.max 0', () => ({ brand: { lookup: { max: 0 } } }), 'brand.lookup.max'],
  ['brand.lookup.max huge', () => ({ brand: { lookup: { max: 1e9 } } }), 'brand.lookup.max'],
  [
    'brand.lookup.ttl misspelt',
    () => ({ brand: { lookup: { ttl: 5 } } }),
    'brand.lookup.ttl',
    'brand.lookup.ttlMs',
  ],
  ['brand a number', () => ({ brand: 42 }), 'brand'],
  ['brand a misspelt lookup', () => ({ brand: 'lookups' }), 'brand'],
  ['brand a class', () => ({ brand: NotACallback }), 'brand'],
  ['autoLog a string', () => ({ autoLog: 'yes' }), 'autoLog'],
  ['autolog misspelt', () => ({ autolog: false }), 'autolog', 'autoLog'],
  ['includeStack a number', () => ({ includeStack: 1 }), 'includeStack'],
  ['ignore a string', () => ({ ignore: '/health' }), 'ignore'],
  ['ignore a path without /', () => ({ ignore: ['/ok', 'health'] }), 'ignore.1'],
  ['ignore with * inside', () => ({ ignore: ['/api/*/health'] }), 'ignore.0'],
  ['ignore with a query', () => ({ ignore: ['/health?full=1'] }), 'ignore.0'],
  ['ignore a number entry', () => ({ ignore: [42] }), 'ignore.0'],
  ['user an object', () => ({ user: { pk: 1 } }), 'user'],
  ['user a class', () => ({ user: NotACallback }), 'user'],
  ['context a string', () => ({ context: 'tenant' }), 'context'],
  ['clientIp a string', () => ({ clientIp: '203.0.113.1' }), 'clientIp'],
  ['client not a client', () => ({ client: {} }), 'client'],
  ['client already closed', () => ({ client: closedClient() }), 'client'],
  ['concurency misspelt', () => ({ concurency: 8 }), 'concurency', 'concurrency'],
  ['retry.retrys misspelt', () => ({ retry: { retrys: 2 } }), 'retry.retrys', 'retry.retries'],
  ['requestTimeoutMs 2^31', () => ({ requestTimeoutMs: 2 ** 31 }), 'requestTimeoutMs'],
];

describe.each(FRAMEWORKS)(
  '%s: silent misconfiguration: every wrong adapter option is a ConfigError naming it',
  (framework) => {
    it.each(WRONG)('%s', async (_name, make, option, meant) => {
      const error = await configError(framework, { ...VALID, ...make() });
      expect(error.option).toBe(option);
      expect(error.code).toBe('ERR_AUTHENTIK_EVENTS_CONFIG');
      if (meant) expect(error.message).toContain(`did you mean "${meant}"`);
      expect(error.message).not.toContain(TOKEN);
    });

    it('a token with a NUL is refused without being quoted', async () => {
      const error = await configError(framework, { ...VALID, token: `${TOKEN}\u0000` });
      expect(error.option).toBe('token');
      expect(error.message).not.toContain(TOKEN);
    });

    it('client options beside a shared client are refused: they would have no effect', async () => {
      const client = createEventClient(VALID);
      afterThisTest(() => client.close({ timeoutMs: 100 }));
      for (const extra of [{ url: VALID.url }, { concurrency: 8 }, { onError: () => {} }]) {
        const error = await configError(framework, { client, ...extra });
        expect(error.option).toBe(Object.keys(extra)[0]);
        expect(error.message).toContain('"client"');
      }
      expect(await setUpError(framework, { client, autoLog: false })).toBeUndefined();
    });

    it('takes every valid form', async () => {
      for (const options of [
        { brand: { lookup: true } },
        { brand: { lookup: { ttlMs: 1000, failureTtlMs: 500, max: 10 } } },
        { brand: { pk: 'abc', name: 'Shop', extra: 1 } },
        { userLookup: { ttlMs: 2 ** 31 - 1 } },
        { ignore: ['/health', '/static/*', /^\/metrics/g] },
        { requestId: { header: 'X-Correlation-ID', trustHeader: false } },
        { retry: { maxRetryTimeMs: Infinity } },
        { autoLog: undefined },
      ]) {
        expect(
          await setUpError(framework, { ...VALID, ...options }),
          JSON.stringify(options),
        ).toBeUndefined();
      }
    });
  },
);

describe.each(FRAMEWORKS)('%s: options are read once, at construction', (framework) => {
  it('a change (or a throwing getter) put in the options object later changes nothing', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    afterThisTest(() => fake.close());
    const options: EventsOptions = { ...fastOptions(fake, []), context: () => ({ tenant: 'a' }) };
    const app = await startApp(framework, options);
    afterThisTest(() => app.shutdown());

    options.context = () => ({ tenant: 'tampered' });
    Object.defineProperty(options, 'autoLog', {
      get() {
        throw new Error('getter exploded');
      },
    });
    await sendExpecting(app, 200, { path: '/hello' });
    await fake.waitForEvents(1);
    await app.client.flush({ timeoutMs: 5000 });
    expect(requestEvent(fake.events).context.tenant).toBe('a');
  });
});

describe.each(FRAMEWORKS)('%s: ignore RegExps are stateless', (framework) => {
  it('a RegExp with the g flag ignores the path on every request, not every other one', async () => {
    const pattern = /^\/hello$/g;
    const scenario = await startScenario(framework, { events: { ignore: [pattern] } });
    for (let i = 0; i < 4; i++) await sendExpecting(scenario.app, 200, { path: '/hello' });
    await sendExpecting(scenario.app, 200, { path: '/me' });

    const events = await settled(scenario, 1);
    expect(events.map((event) => (event.context.http_request as { path: string }).path)).toEqual([
      '/me',
    ]);
    expect(pattern.lastIndex).toBe(0);
  });

  it('a long list of prefixes still ignores what it should', async () => {
    const prefixes = Array.from({ length: 20_000 }, (_, i) => `/generated/${i}/*`);
    const scenario = await startScenario(framework, {
      events: { ignore: [...prefixes, '/hel*'] },
    });
    await sendExpecting(scenario.app, 200, { path: '/hello' });
    await sendExpecting(scenario.app, 200, { path: '/me' });
    const events = await settled(scenario, 1);
    // Each stored event as action, path and id: a failure shows what arrived, and whether twice.
    const seen = events.map((event) => [
      event.context.custom_action ?? event.action,
      (event.context.http_request as { path?: string } | undefined)?.path,
      event.context.event_id,
    ]);
    expect(seen).toEqual([['http_request', '/me', expect.any(String)]]);
  });
});

describe.each(['fastify5', 'fastify4'] as const)(
  '%s: a setup error rejects register instead of ending the process',
  (framework) => {
    const create = framework === 'fastify5' ? Fastify : (Fastify4 as unknown as typeof Fastify);

    it('without a URL: register rejects with the ConfigError, and the app lives on', async () => {
      const saved = process.env[URL_VARIABLE];
      delete process.env[URL_VARIABLE];
      const app = create();
      try {
        let caught: unknown;
        try {
          await app.register(fastifyEvents, { token: TOKEN, app: 'shop' });
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(ConfigError);
        expect((caught as ConfigError).option).toBe('url');
      } finally {
        if (saved !== undefined) process.env[URL_VARIABLE] = saved;
        await app.close().catch(() => undefined);
      }
    });

    it('a wrong option makes app.ready() reject, not hang until the plugin timeout', async () => {
      const app = create({ pluginTimeout: 60_000 });
      app.register(fastifyEvents, { ...VALID, autoLog: 'yes' } as never);
      await expect(app.ready()).rejects.toBeInstanceOf(ConfigError);
      await app.close().catch(() => undefined);
    });

    it("register's own options (prefix, logLevel) are not mistaken for unknown ones", async () => {
      expect(
        await setUpError(framework, { ...VALID, prefix: '/x', logLevel: 'warn' }),
      ).toBeUndefined();
    });

    it('registered twice (or again in a child context): register rejects, saying so', async () => {
      // Both would record every request, twice over; Fastify then refuses to boot with the error.
      for (const again of ['same', 'child'] as const) {
        const app = create();
        await app.register(fastifyEvents, VALID);
        const second =
          again === 'same'
            ? app.register(fastifyEvents, VALID)
            : app.register(async (child) => {
                await child.register(fastifyEvents, VALID);
              });
        const error = await second.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, again).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toContain('registered twice');
        await app.close().catch(() => undefined);
      }
    });
  },
);

describe('express: one middleware, mounted twice or on two apps', () => {
  it('mounted on the app and on a router: each request is recorded once', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    afterThisTest(() => fake.close());
    const events = expressEvents(fastOptions(fake, []));
    afterThisTest(() => events.close({ timeoutMs: 1000 }));
    const app = express();
    const router = express.Router();
    router.use(events);
    router.get('/hello', (req, res) => {
      req.authentik.emit('custom_hello');
      res.send('hi');
    });
    app.use(events);
    app.use(router);
    const server = createServer(app);
    const baseUrl = await listenOnLoopback(server);
    afterThisTest(() => stopServer(server));

    expect((await fetch(`${baseUrl}/hello`)).status).toBe(200);
    await fake.waitForEvents(2);
    await events.client.flush({ timeoutMs: 5000 });
    expect(fake.events).toHaveLength(2);
    only(fake.events, 'custom_', 'http_request');
    only(fake.events, 'custom_', 'hello');
  });

  it('on two apps: each app decides by its own trust proxy setting', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    afterThisTest(() => fake.close());
    const events = expressEvents(fastOptions(fake, []));
    afterThisTest(() => events.close({ timeoutMs: 1000 }));
    const urls: string[] = [];
    for (const trust of ['127.0.0.1', '10.0.0.1']) {
      const app = express();
      app.set('trust proxy', trust);
      app.use(events);
      app.get('/hello', (_req, res) => {
        res.send('hi');
      });
      const server = createServer(app);
      urls.push(await listenOnLoopback(server));
      afterThisTest(() => stopServer(server));
    }
    for (const url of urls) {
      const answer = await fetch(`${url}/hello`, { headers: { 'x-request-id': `forged-${url}` } });
      expect(answer.status).toBe(200);
    }
    await fake.waitForEvents(2);
    await events.client.flush({ timeoutMs: 5000 });
    const ids = fake.events.map(
      (event) => (event.context.http_request as { request_id: string }).request_id,
    );
    expect(ids).toContain(`forged-${urls[0]}`);
    expect(ids).not.toContain(`forged-${urls[1]}`);
  });
});

describe('koa: a middleware that sees a request twice records it once', () => {
  it('used twice in one app', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    afterThisTest(() => fake.close());
    const events = koaEvents(fastOptions(fake, []));
    afterThisTest(() => events.close({ timeoutMs: 1000 }));
    const app = new Koa();
    app.use(events);
    app.use(events);
    app.use((ctx) => {
      ctx.authentik.emit('custom_hello');
      ctx.body = 'hi';
    });
    const server = createServer(app.callback());
    const baseUrl = await listenOnLoopback(server);
    afterThisTest(() => stopServer(server));

    expect((await fetch(`${baseUrl}/hello`)).status).toBe(200);
    await fake.waitForEvents(2);
    await events.client.flush({ timeoutMs: 5000 });
    expect(fake.events).toHaveLength(2);
  });
});
