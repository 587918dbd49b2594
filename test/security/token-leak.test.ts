import { randomBytes } from 'node:crypto';
import {
  type AuthentikEventsError,
  type ClientOptions,
  ConfigError,
  createEventClient,
  type EventClient,
} from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as honoEvents } from '@authentik-events/hono';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort } from '../reliability/support/closed-port.js';
import { leaks, renderings } from './support/capture.js';

/** Recognisable anywhere, and random so no fixture can contain it by accident. */
const TOKEN = `canaryTOKEN${randomBytes(16).toString('hex')}`;

const fakes: FakeAuthentik[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function fake(options: { token?: string } = {}): Promise<FakeAuthentik> {
  const started = await startFakeAuthentik({ quiet: true, token: TOKEN, ...options });
  fakes.push(started);
  return started;
}

interface Observed {
  texts: string[];
  codes: string[];
}

/**
 * Runs a client through `act` and keeps the text of everything it hands out: onError errors
 * (message, stack, cause chain, JSON, inspect), onDrop payloads, the close report, stats().
 */
async function observe(
  options: ClientOptions,
  act: (client: EventClient) => Promise<void> | void,
): Promise<Observed> {
  const texts: string[] = [];
  const codes: string[] = [];
  const client = createEventClient({
    token: TOKEN,
    app: 'leak-test',
    flushIntervalMs: 10,
    requestTimeoutMs: 300,
    retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 },
    onError: (error: AuthentikEventsError) => {
      codes.push(error.code);
      texts.push(...renderings(error));
    },
    onDrop: (events, reason) => texts.push(...renderings(events), reason),
    ...options,
  });
  await act(client);
  const report = await client.close({ timeoutMs: 1000 });
  texts.push(...renderings(report), ...renderings(client.stats()), ...renderings(client));
  return { texts, codes };
}

const emitSome = (client: EventClient) => {
  for (let i = 0; i < 3; i++) client.emit({ action: 'login', context: { i } });
};

describe('the token never appears in errors, onError/onDrop payloads, reports or stats()', () => {
  const failures: Array<
    [
      string,
      string,
      () => Promise<{
        options: ClientOptions;
        act?: (client: EventClient) => Promise<void> | void;
      }>,
    ]
  > = [
    [
      'a token authentik refuses (403)',
      'ERR_AUTHENTIK_EVENTS_UNAUTHORIZED',
      async () => {
        const other = await fake({ token: 'another-valid-token' });
        return { options: { url: other.url } };
      },
    ],
    [
      'a 400 answer',
      'ERR_AUTHENTIK_EVENTS_REJECTED',
      async () => {
        const server = await fake();
        server.faults.failNext(3, 400, { body: '{"detail": "nope"}' });
        return { options: { url: server.url } };
      },
    ],
    [
      '503 until retries run out',
      'ERR_AUTHENTIK_EVENTS_RETRIES_EXHAUSTED',
      async () => {
        const server = await fake();
        server.faults.failRate(1, 503);
        return { options: { url: server.url } };
      },
    ],
    [
      'connection refused',
      'ERR_AUTHENTIK_EVENTS_RETRIES_EXHAUSTED',
      async () => ({
        options: { url: `http://127.0.0.1:${await closedPort()}` },
      }),
    ],
    [
      'connection resets',
      'ERR_AUTHENTIK_EVENTS_RETRIES_EXHAUSTED',
      async () => {
        const server = await fake();
        server.faults.resetNext(100);
        return { options: { url: server.url } };
      },
    ],
    [
      'a server that never answers (timeouts)',
      'ERR_AUTHENTIK_EVENTS_RETRIES_EXHAUSTED',
      async () => {
        const server = await fake();
        server.faults.hostile('hang');
        return { options: { url: server.url } };
      },
    ],
    [
      'a redirect',
      'ERR_AUTHENTIK_EVENTS_REJECTED',
      async () => {
        const server = await fake();
        server.faults.hostile('redirect');
        return { options: { url: server.url } };
      },
    ],
    [
      'a full queue',
      'ERR_AUTHENTIK_EVENTS_QUEUE_FULL',
      async () => {
        const server = await fake();
        return { options: { url: server.url, maxQueueSize: 1 } };
      },
    ],
    [
      'a close with events left',
      'ERR_AUTHENTIK_EVENTS_CLOSED',
      async () => {
        const server = await fake();
        server.faults.hostile('hang');
        return { options: { url: server.url, requestTimeoutMs: 60_000 } };
      },
    ],
    [
      'an invalid event',
      'ERR_AUTHENTIK_EVENTS_INVALID',
      async () => {
        const server = await fake();
        return {
          options: { url: server.url },
          act: (client) => void client.emit({ action: 'nope' as never }),
        };
      },
    ],
    [
      'a beforeSend that throws',
      'ERR_AUTHENTIK_EVENTS_INVALID',
      async () => {
        const server = await fake();
        const beforeSend = () => {
          throw new Error('hook failed');
        };
        return { options: { url: server.url, beforeSend } };
      },
    ],
    [
      'an onDrop that throws',
      'ERR_AUTHENTIK_EVENTS_CALLBACK',
      async () => {
        const server = await fake();
        const onDrop = () => {
          throw new Error('hook failed');
        };
        return {
          options: { url: server.url, onDrop },
          act: (client) => void client.emit({ action: 'nope' as never }),
        };
      },
    ],
    [
      'a brand lookup refused by the server',
      'ERR_AUTHENTIK_EVENTS_LOOKUP',
      async () => {
        const other = await fake({ token: 'another-valid-token' });
        return {
          options: { url: other.url },
          act: async (client) => {
            await client.api.get('api/v3/core/brands/').catch((error: AuthentikEventsError) => {
              client.report(error);
            });
          },
        };
      },
    ],
  ];

  it.each(failures)('%s', async (_name, code, setup) => {
    const { options, act } = await setup();
    const { texts, codes } = await observe(options, async (client) => {
      emitSome(client);
      await act?.(client);
      await client.flush({ timeoutMs: 1000 });
    });
    // The failure really happened and was reported, so there was text to leak into.
    if (code === 'ERR_AUTHENTIK_EVENTS_LOOKUP')
      expect(codes.some((c) => c.startsWith('ERR_AUTHENTIK_EVENTS_'))).toBe(true);
    else expect(codes).toContain(code);
    expect(texts.length).toBeGreaterThan(5);
    expect(leaks(texts, TOKEN)).toEqual([]);
  });

  it('the token was really sent, so its absence above means something', async () => {
    const server = await fake();
    await observe({ url: server.url }, async (client) => {
      emitSome(client);
      await client.flush();
    });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(leaks([JSON.stringify(server.requests[0]?.headers)], TOKEN)).toHaveLength(1);
  });
});

describe('the token never appears in process warnings', () => {
  it('when no onError is set and delivery is refused', async () => {
    const other = await fake({ token: 'another-valid-token' });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(...renderings(warning));
    process.on('warning', onWarning);
    try {
      const client = createEventClient({
        url: other.url,
        token: TOKEN,
        app: 'leak-test',
        flushIntervalMs: 10,
      });
      emitSome(client);
      client.emit({ action: 'nope' as never });
      await client.close({ timeoutMs: 2000 });
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.some((text) => text.includes('AuthentikEventsWarning'))).toBe(true);
    expect(leaks(warnings, TOKEN)).toEqual([]);
  });
});

describe('the token never appears in a thrown ConfigError', () => {
  const configs: Array<[string, Record<string, unknown>]> = [
    ['token with a trailing space', { url: 'https://auth.example.com', token: `${TOKEN} ` }],
    ['token with a line break', { url: 'https://auth.example.com', token: `${TOKEN}\n` }],
    [
      '"Bearer " in front of the token',
      { url: 'https://auth.example.com', token: `Bearer ${TOKEN}` },
    ],
    ['token inside the url', { url: `https://svc:${TOKEN}@auth.example.com`, token: TOKEN }],
    ['token swapped into the url', { url: TOKEN, token: 'https://auth.example.com' }],
    ['plain http to another host', { url: 'http://auth.example.com', token: TOKEN }],
    ['a bad batchSize', { url: 'https://auth.example.com', token: TOKEN, batchSize: -1 }],
    [
      'the token as the overflow option',
      { url: 'https://auth.example.com', token: TOKEN, overflow: TOKEN },
    ],
  ];
  const constructors: Array<[string, (options: Record<string, unknown>) => unknown]> = [
    ['createEventClient', (options) => createEventClient(options)],
    ['the Express adapter', (options) => expressEvents(options)],
    ['the Koa adapter', (options) => koaEvents(options)],
    ['the Hono adapter', (options) => honoEvents(options)],
  ];

  it.each(constructors)('%s', (_name, construct) => {
    for (const [, options] of configs) {
      let thrown: unknown;
      try {
        construct({ app: 'leak-test', ...options });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect(leaks(renderings(thrown), TOKEN)).toEqual([]);
    }
  });
});
