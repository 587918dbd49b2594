import type { FakeBrand, ReadAnswerer } from '@authentik-events/testing';
import { describe, expect, it } from 'vitest';
import { send } from '../adapters/harness/http-client.js';
import { waitUntil } from '../reliability/support/accounting.js';
import { type Scenario, startScenario } from '../reliability/support/scenario.js';
import { leaks, renderings } from './support/capture.js';

const USERS = '/api/v3/core/users/';
const BRANDS = '/api/v3/core/brands/';
const JANE = () => ({ username: 'jane' });

const readsOf = (scenario: Scenario, path: string) =>
  scenario.fake.requests.filter((request) => request.path.startsWith(path));
const lookupErrors = (scenario: Scenario) =>
  scenario.errors.filter((error) => error.code === 'ERR_AUTHENTIK_EVENTS_LOOKUP');

/** Everything the app was told, as text (message, stack, cause chain, JSON, inspect). */
const reportedTexts = (scenario: Scenario) => scenario.errors.flatMap((error) => renderings(error));

async function get(scenario: Scenario, path: string, host?: string): Promise<void> {
  const answer = await send(scenario.app.url, { path, headers: host ? { host } : {} });
  expect(answer.status).toBe(200);
}

type Hostility =
  | { answer: ReadAnswerer }
  | { hostile: 'redirect' | 'huge-body' | 'invalid-json' | 'slow-loris' };
const echoHeaders: ReadAnswerer = (read) => ({
  body: `you sent: ${read.headers.authorization} ${JSON.stringify(read.headers)}`,
});

describe('hostile lookup answers: whatever a users read answers, it is a failed lookup, never a value in an event, a throw or a leak', () => {
  const cases: Array<[string, Hostility]> = [
    ['200, not JSON, echoing the request headers', { answer: echoHeaders }],
    [
      '500 echoing the request headers',
      { answer: (read) => ({ status: 500, body: { detail: read.headers } }) },
    ],
    [
      '401 at lookup time, echoing the token',
      { answer: (read) => ({ status: 401, body: { detail: read.headers.authorization } }) },
    ],
    ['results that are not a list', { answer: () => ({ body: { results: 'jane' } }) }],
    ['a user without a pk', { answer: () => ({ body: { results: [{ username: 'jane' }] } }) }],
    [
      'a pk that is an object',
      { answer: () => ({ body: { results: [{ pk: { injected: true }, username: 'jane' }] } }) },
    ],
    [
      'a pk of 100,000 characters',
      { answer: () => ({ body: { results: [{ pk: '9'.repeat(100_000), username: 'jane' }] } }) },
    ],
    ['null', { answer: () => ({ body: 'null' }) }],
    ['a list where an object belongs', { answer: () => ({ body: [] }) }],
    ['a redirect to another host', { hostile: 'redirect' }],
    ['a body that never ends', { hostile: 'huge-body' }],
    ['truncated JSON', { hostile: 'invalid-json' }],
    ['an answer that trickles a byte a second, forever', { hostile: 'slow-loris' }],
  ];

  it.each(cases)('%s', async (_name, hostility) => {
    const scenario = await startScenario({ adapter: { userLookup: true, user: JANE } });
    const { fake, app } = scenario;
    if ('answer' in hostility) fake.faults.answerReads(hostility.answer);
    else fake.faults.hostileReads(hostility.hostile);

    await get(scenario, '/');
    await fake.waitForEvents(1, 10_000);
    await get(scenario, '/');
    await fake.waitForEvents(2, 10_000);

    // The events go on with the user as the app gave it, without anything the answer said.
    expect(fake.events.map((event) => event.user)).toEqual([
      { username: 'jane' },
      { username: 'jane' },
    ]);
    // The failure is remembered (failureTtlMs): one read, one report.
    expect(readsOf(scenario, USERS)).toHaveLength(1);
    expect(lookupErrors(scenario)).toHaveLength(1);
    expect(lookupErrors(scenario)[0]?.message).toMatch(/^user lookup failed/);
    expect(leaks(reportedTexts(scenario), fake.token)).toEqual([]);
    expect(app.appErrors).toEqual([]);
  });
});

describe('hostile lookup input: usernames an attacker types are looked up exactly, or not at all', () => {
  it('an empty, huge or NUL-bearing name is never read; URL-special names are read as they are', async () => {
    const cannotExist = ['', 'x'.repeat(10_000), 'ja\u0000ne', 'é'.repeat(151)];
    const special = [
      'jane&username=akadmin',
      'akadmin%00',
      '../../events/events/?x=',
      'a+b c',
      '#akadmin',
      'ñame',
      'e\u0301'.repeat(75),
    ];
    const names = [...cannotExist, ...special];
    let n = 0;
    const scenario = await startScenario({
      fake: { users: [{ pk: 1, username: 'akadmin' }] },
      adapter: { userLookup: true, autoLog: false },
      routes: {
        '/login': (events) => events.emit('login_failed', { user: { username: names[n++] } }),
      },
    });
    for (const _ of names) await get(scenario, '/login');
    await scenario.fake.waitForEvents(names.length, 10_000);

    const looked = readsOf(scenario, USERS).map((request) =>
      new URL(request.path, 'http://x').searchParams.get('username'),
    );
    expect(looked.sort()).toEqual([...special].sort());
    // No name was taken for another user's (akadmin's pk is 1).
    expect(scenario.fake.events.every((event) => event.user.pk === undefined)).toBe(true);
    expect(scenario.app.appErrors).toEqual([]);
    expect(scenario.errors).toEqual([]);
  });
});

const DEFAULT_BRAND: FakeBrand = {
  brand_uuid: '00000000-0000-4000-8000-000000000000',
  domain: 'authentik-default',
  default: true,
};
const brand = (pk: string, name: string) => ({
  pk: pk.replaceAll('-', ''),
  app: 'authentik_brands',
  model_name: 'brand',
  name,
});

describe('hostile brand lists: every page is read, within bounds, and a list of the wrong shape is a failed lookup', () => {
  it('10,000 brands: a host matches a brand on the last page', async () => {
    const brands: FakeBrand[] = [DEFAULT_BRAND];
    for (let i = 0; i < 10_000; i++)
      brands.push({
        brand_uuid: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        domain: `tenant-${i}.example.com`,
      });
    const scenario = await startScenario({
      fake: { brands },
      adapter: { brand: 'lookup', requestTimeoutMs: 30_000 },
    });
    await get(scenario, '/', 'app.tenant-9999.example.com');
    await get(scenario, '/', 'tenant-0.example.com');
    await scenario.fake.waitForEvents(2, 30_000);

    expect(scenario.fake.events.map((event) => event.brand)).toEqual([
      brand('00000000-0000-4000-8000-000000010000', 'Brand tenant-9999.example.com'),
      brand('00000000-0000-4000-8000-000000000001', 'Brand tenant-0.example.com'),
    ]);
    // The list is read once (all 101 pages), not once per host.
    expect(readsOf(scenario, BRANDS)).toHaveLength(101);
    expect(scenario.errors).toEqual([]);
  });

  it('domains that look like patterns or are huge are matched literally, as suffixes', async () => {
    const scenario = await startScenario({
      fake: {
        brands: [
          DEFAULT_BRAND,
          { brand_uuid: '00000000-0000-4000-8000-0000000000aa', domain: '(a+)+$' },
          { brand_uuid: '00000000-0000-4000-8000-0000000000bb', domain: '.*' },
          { brand_uuid: '00000000-0000-4000-8000-0000000000cc', domain: 'x'.repeat(200_000) },
          { brand_uuid: '00000000-0000-4000-8000-0000000000dd', domain: '' },
        ],
      },
      adapter: { brand: 'lookup' },
    });
    await get(scenario, '/', `${'a'.repeat(5000)}!`);
    await get(scenario, '/', 'shop.(a+)+$');
    await scenario.fake.waitForEvents(2, 10_000);

    const names = scenario.fake.events.map((event) => event.brand.name);
    expect(names.sort()).toEqual(['Brand (a+)+$', 'Default brand']);
    expect(scenario.errors).toEqual([]);
  });

  const lists: Array<[string, ReadAnswerer, number]> = [
    [
      'pagination that never ends',
      (read) => ({
        body: {
          pagination: { next: Number(read.query.get('page')) + 1 },
          results: [{ brand_uuid: 'b', domain: 'example.com', default: false }],
        },
      }),
      200,
    ],
    [
      'pagination that goes back to page 1',
      () => ({ body: { pagination: { next: 1 }, results: [] } }),
      1,
    ],
    [
      'a brand whose domain is not a string',
      () => ({ body: { results: [{ brand_uuid: 'b', domain: 42, default: false }] } }),
      1,
    ],
    ['results that are not a list', () => ({ body: { results: {} } }), 1],
  ];

  it.each(lists)(
    '%s: a failed lookup, within a bounded number of reads',
    async (_name, answer, reads) => {
      // A deadline the list's reads meet on a loaded machine: the bound on pages ends them.
      const scenario = await startScenario({
        adapter: { brand: 'lookup', requestTimeoutMs: 30_000 },
      });
      scenario.fake.faults.answerReads(answer);
      await get(scenario, '/', 'app.example.com');
      await scenario.fake.waitForEvents(1, 10_000);
      await waitUntil(() => lookupErrors(scenario).length > 0, 'the failure was reported');

      expect(scenario.fake.events[0]?.brand).toEqual({
        app: 'authentik_brands',
        model_name: 'brand',
        name: 'Brand app.example.com',
      });
      expect(readsOf(scenario, BRANDS)).toHaveLength(reads);
      expect(lookupErrors(scenario)).toHaveLength(1);
      expect(scenario.app.appErrors).toEqual([]);
    },
  );
});
