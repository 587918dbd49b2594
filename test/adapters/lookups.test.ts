import { ConfigError } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import type { FakeUser } from '@authentik-events/testing';
import { describe, expect, it } from 'vitest';
import { requestEvent, sendExpecting, settled, startScenario } from './harness/scenario.js';
import { FRAMEWORKS } from './harness/types.js';

const USERS: FakeUser[] = [
  { pk: 1, username: 'akadmin' },
  { pk: 7, username: 'jane', email: 'jane@example.com' },
];

const userReads = (paths: string[]) =>
  paths.filter((path) => path.startsWith('/api/v3/core/users/'));

describe.each(FRAMEWORKS)('%s: user pk lookup', (framework) => {
  it('resolves a username to the authentik pk, one read for concurrent requests', async () => {
    const scenario = await startScenario(framework, {
      fake: { users: USERS },
      events: { userLookup: true },
      harness: { sessionUser: { username: 'jane' } },
    });
    await Promise.all(
      Array.from({ length: 5 }, () => sendExpecting(scenario.app, 200, { path: '/me' })),
    );

    const events = await settled(scenario, 5);
    expect(events.map((event) => event.user)).toEqual(Array(5).fill({ username: 'jane', pk: 7 }));
    expect(userReads(scenario.fake.requests.map((request) => request.path))).toEqual([
      '/api/v3/core/users/?username=jane',
    ]);
  });

  it('keeps the user without a pk when authentik does not know the name', async () => {
    const scenario = await startScenario(framework, {
      fake: { users: USERS },
      events: { userLookup: true },
      harness: { sessionUser: { username: 'ghost', email: 'ghost@example.com' } },
    });
    await sendExpecting(scenario.app, 200, { path: '/me' });

    expect(requestEvent(await settled(scenario, 1)).user).toEqual({
      username: 'ghost',
      email: 'ghost@example.com',
    });
    expect(scenario.errors).toEqual([]);
  });

  it('goes on without the lookups while authentik is unreachable, and says so once each', async () => {
    const scenario = await startScenario(framework, {
      fake: { users: USERS },
      // Nothing is sent until the test flushes: the fake is down while the lookups run.
      events: { userLookup: true, brand: 'lookup', flushIntervalMs: 60_000, batchSize: 1000 },
      harness: { sessionUser: { username: 'jane' } },
    });
    await scenario.fake.faults.down();
    for (const _ of [1, 2])
      await sendExpecting(scenario.app, 200, { path: '/me', headers: { host: 'app.example.com' } });
    // The events are emitted once the failed lookups have come back.
    await expect.poll(() => scenario.app.client.stats().queued).toBe(2);
    await scenario.fake.faults.up();
    await scenario.app.client.flush({ timeoutMs: 5000 });

    const events = await settled(scenario, 2);
    expect(events.map((event) => [event.user, event.brand])).toEqual(
      Array(2).fill([
        { username: 'jane' },
        { app: 'authentik_brands', model_name: 'brand', name: 'Brand app.example.com' },
      ]),
    );
    const lookupErrors = scenario.errors
      .filter((error) => error.code === 'ERR_AUTHENTIK_EVENTS_LOOKUP')
      .map((error) => error.message.split(' (')[0]);
    expect(lookupErrors.sort()).toEqual(['brand lookup failed', 'user lookup failed']);
  });
});

describe('bad lookup options: a ConfigError naming the option, before anything starts', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a negative ttl', { userLookup: { ttlMs: -1 } }, 'userLookup.ttlMs'],
    [
      'an infinite failure ttl',
      { userLookup: { failureTtlMs: Infinity } },
      'userLookup.failureTtlMs',
    ],
    ['a cache of 0 entries', { userLookup: { max: 0 } }, 'userLookup.max'],
    ['a fractional size', { userLookup: { max: 1.5 } }, 'userLookup.max'],
    ['a ttl as a string', { userLookup: { ttlMs: '300' } }, 'userLookup.ttlMs'],
    ['a misspelt option', { userLookup: { ttl: 5 } }, 'userLookup.ttl'],
    ['userLookup as a string', { userLookup: 'yes' }, 'userLookup'],
    ['a brand lookup cache of 0 entries', { brand: { lookup: { max: 0 } } }, 'brand.lookup.max'],
    ['a brand lookup of null', { brand: { lookup: null } }, 'brand.lookup'],
  ];
  const adapters = { express: expressEvents, koa: koaEvents } as const;

  it.each(cases)('%s', (_name, options, option) => {
    for (const create of Object.values(adapters)) {
      let thrown: unknown;
      try {
        // No `app`: were the client made first, its ConfigError would name `app` instead.
        create({ url: 'http://127.0.0.1:1', token: 't', delivery: 'in-process', ...options });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).option).toBe(option);
    }
  });
});
