import { createEventClient, type EventClient } from '@authentik-events/core';
import {
  type FakeAuthentik,
  type StoredEvent,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../reliability/support/accounting.js';
import {
  type AppOptions,
  type AppUnderTest,
  FRAMEWORKS,
  startApp,
} from '../reliability/support/app-under-test.js';

/** authentik's cleansed_substitute: what it writes in place of a secret. */
const MASK = '********************';

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

const apps: AppUnderTest[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close(2000)));
});

async function app(
  options: Omit<AppOptions, 'adapter'> & { adapter?: AppOptions['adapter'] },
): Promise<AppUnderTest> {
  const started = await startApp({
    ...options,
    adapter: {
      url: fake.url,
      token: fake.token,
      app: 'redaction-test',
      flushIntervalMs: 10,
      ...options.adapter,
    },
  });
  apps.push(started);
  return started;
}

async function deliveredThrough(
  client: EventClient,
  request: () => Promise<unknown>,
  events = 1,
): Promise<StoredEvent[]> {
  await request();
  // The request's own event is emitted when its response has finished, which may trail it.
  await waitUntil(() => client.stats().emitted >= events, `${events} events were emitted`);
  await client.flush({ timeoutMs: 5000 });
  return fake.events;
}

describe('secrets are masked with 20 asterisks, as authentik masks them', () => {
  it('in the context given to client.emit', async () => {
    const client = createEventClient({ url: fake.url, token: fake.token, app: 'redaction-test' });
    client.emit({
      action: 'login',
      context: {
        api_key: 'k-123',
        password: 'hunter2',
        token: 't-123',
        Authorization: 'Bearer abc',
        session_cookie: 'c-123',
        signature: 's-123',
        nested: { client_secret: 'cs-123', safe: 'visible' },
        tokens: ['t-1', 't-2'],
        password_change_date: '2024-01-02T03:04:05Z',
        passing: true,
        username: 'jane',
        count: 3,
      },
    });
    await client.close();
    expect(fake.events).toHaveLength(1);
    expect(fake.events[0]?.context).toMatchObject({
      api_key: MASK,
      password: MASK,
      token: MASK,
      Authorization: MASK,
      session_cookie: MASK,
      signature: MASK,
      nested: { client_secret: MASK, safe: 'visible' },
      tokens: [MASK, MASK],
      password_change_date: '2024-01-02T03:04:05Z',
      passing: true,
      username: 'jane',
      count: 3,
    });
  });

  it.each(FRAMEWORKS)(
    'in the query string of a request, through the %s adapter',
    async (framework) => {
      const started = await app({ framework });
      const [event] = await deliveredThrough(started.client, () =>
        fetch(`${started.url}/?token=t-123&password=hunter2&api_key=k-1&page=2&passing=yes`).then(
          (r) => r.text(),
        ),
      );
      const httpRequest = event?.context.http_request as {
        path: string;
        args: Record<string, unknown>;
      };
      expect(httpRequest.path).toBe('/');
      expect(httpRequest.args).toEqual({
        token: MASK,
        password: MASK,
        api_key: MASK,
        page: '2',
        passing: 'yes',
      });
    },
  );

  it.each(FRAMEWORKS)('in user objects, through the %s adapter', async (framework) => {
    const secretUser = {
      pk: 7,
      username: 'jane',
      password: 'hunter2',
      api_token: 't-123',
      password_change_date: '2024-01-02',
    };
    const started = await app({
      framework,
      adapter: { user: () => secretUser },
      routes: {
        '/explicit': (events) => {
          events.emit('login', { user: { ...secretUser, pk: 8 } });
        },
      },
    });
    const events = await deliveredThrough(
      started.client,
      () => fetch(`${started.url}/explicit`).then((r) => r.text()),
      2,
    );
    const users = events.map((event) => event.user).sort((a, b) => Number(a.pk) - Number(b.pk));
    const masked = {
      username: 'jane',
      password: MASK,
      api_token: MASK,
      password_change_date: '2024-01-02',
    };
    expect(users).toEqual([
      { pk: 7, ...masked },
      { pk: 8, ...masked },
    ]);
  });

  it.each(FRAMEWORKS)(
    "the framework's own user is mapped to {pk, username, email} only (%s)",
    async (framework) => {
      const started = await app({
        framework,
        requestUser: {
          id: 9,
          username: 'jane',
          email: 'jane@example.test',
          passwordHash: '$2b$hash',
          token: 't',
        },
      });
      const [event] = await deliveredThrough(started.client, () =>
        fetch(started.url).then((r) => r.text()),
      );
      expect(event?.user).toEqual({ pk: 9, username: 'jane', email: 'jane@example.test' });
    },
  );
});
