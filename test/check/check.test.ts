import { CHECK_EVENT_ACTION } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as fastifyEvents } from '@authentik-events/fastify';
import { authentikEvents as honoEvents } from '@authentik-events/hono';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import { AuthentikEvents } from '@authentik-events/nestjs';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createNestApp } from '../adapters/harness/nest-app.js';
import { closedPort } from '../reliability/support/closed-port.js';
import { answer, tlsFixture } from '../reliability/support/raw-server.js';
import { APP, authentikLike, clientOf, notOk, rawServer, startFake } from './support.js';

describe('client.check(): will events arrive?', () => {
  it('all good: every part ok, the version and the token user told, nothing created', async () => {
    const fake = await startFake({ version: '2026.2.2' });
    const result = await clientOf(fake.url, fake.token).check();
    expect(result).toMatchObject({
      ok: true,
      url: `${fake.url}/`,
      authentikVersion: '2026.2.2',
      tokenUser: { pk: 1, username: 'akadmin' },
      problems: [],
    });
    expect(notOk(result)).toEqual({ tls: 'skipped', testEvent: 'skipped' });
    expect(fake.events).toEqual([]);
    expect(result.durationMs).toBeLessThan(5000);
    // The only write asked authentik to validate an empty event: refused, nothing stored.
    expect(fake.requests.filter((r) => r.method === 'POST').map((r) => [r.body, r.status])).toEqual(
      [['{}', 400]],
    );
  });

  it('sendTestEvent: one clearly named event, found by its event_id', async () => {
    const fake = await startFake();
    const result = await clientOf(fake.url, fake.token).check({ sendTestEvent: true });
    expect(result).toMatchObject({ ok: true, checks: { testEvent: 'ok' } });
    expect(fake.events).toHaveLength(1);
    expect(fake.events[0]).toMatchObject({
      action: 'custom_',
      app: APP,
      context: { custom_action: CHECK_EVENT_ACTION, event_id: result.testEventId },
    });
  });

  it('an expired or unknown token: what to do about it', async () => {
    const fake = await startFake({ tokens: { 'expired-token-0123456789': 'expired' } });
    for (const token of ['expired-token-0123456789', 'unknown-token-0123456789']) {
      const result = await clientOf(fake.url, token).check({ sendTestEvent: true });
      expect(result.ok).toBe(false);
      expect(result.checks).toMatchObject({ reachable: 'ok', api: 'ok', token: 'failed' });
      expect(result.checks.createEvents).toBe('skipped');
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ code: 'ERR_AUTHENTIK_EVENTS_UNAUTHORIZED' });
      expect(result.problems[0]?.message).toContain('"Token invalid/expired"');
      expect(result.problems[0]?.fix).toMatch(/API token.*app password.*expire/);
    }
    expect(fake.events).toEqual([]);
  });

  it('a valid token without authentik_events.add_event: names the user and the permission', async () => {
    const fake = await startFake({ tokens: { 'reader-token-0123456789': 'no_permission' } });
    const result = await clientOf(fake.url, 'reader-token-0123456789').check({
      sendTestEvent: true,
    });
    expect(result).toMatchObject({
      ok: false,
      checks: { token: 'ok', createEvents: 'failed', testEvent: 'skipped' },
    });
    expect(result.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_FORBIDDEN');
    expect(result.problems[0]?.message).toContain('"akadmin" may not create events');
    expect(result.problems[0]?.fix).toContain('authentik_events.add_event');
    expect(fake.events).toEqual([]);
  });

  it('connection refused: within moments, says nothing listens there', async () => {
    const port = await closedPort();
    const result = await clientOf(`http://127.0.0.1:${port}`, 'some-token-0123456789').check();
    expect(result.checks).toMatchObject({ reachable: 'failed', api: 'skipped', token: 'skipped' });
    expect(result.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED');
    expect(result.problems[0]?.fix).toMatch(/start authentik, or correct the url's host and port/);
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('an unknown host', async () => {
    const result = await clientOf(
      'https://authentik-events-check.invalid',
      'some-token-0123456789',
    ).check();
    expect(result.checks.reachable).toBe('failed');
    expect(result.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_UNKNOWN_HOST');
    expect(result.problems[0]?.message).toContain('authentik-events-check.invalid');
  });

  it('an untrusted certificate: TLS failed, with the ca option as the way out', async () => {
    const server = await rawServer(authentikLike(), { tls: 'self-signed' });
    const result = await clientOf(server.url, 'some-token-0123456789').check();
    expect(result.checks).toMatchObject({ reachable: 'ok', tls: 'failed', token: 'skipped' });
    expect(result.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_CERTIFICATE');
    expect(result.problems[0]?.fix).toMatch(/ca option.*NODE_EXTRA_CA_CERTS/);
    expect(server.requests).toEqual([]);
    // Trusted through `ca`: every part passes.
    const trusted = await clientOf(server.url, 'some-token-0123456789', {
      ca: tlsFixture('self-signed.pem'),
    }).check();
    expect(trusted).toMatchObject({
      ok: true,
      authentikVersion: '2025.12.3',
      tokenUser: { pk: 5, username: 'svc-events' },
    });
    expect(trusted.checks).toMatchObject({ tls: 'ok', createEvents: 'ok' });
  });

  it('a server that never answers: the check ends at its deadline', async () => {
    const server = await rawServer(() => undefined);
    const result = await clientOf(server.url, 'some-token-0123456789').check({ timeoutMs: 300 });
    expect(result.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_TIMEOUT');
    expect(result.problems[0]?.message).toContain('within 300 ms');
    expect(result.durationMs).toBeLessThan(2000);
  });

  it("a URL that is not authentik's API (a wrong sub-path): a web page, not JSON", async () => {
    const fake = await startFake();
    const result = await clientOf(`${fake.url}/wrong/`, fake.token).check();
    expect(result.checks).toMatchObject({ reachable: 'ok', api: 'failed', token: 'skipped' });
    expect(result.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_NOT_AUTHENTIK');
    expect(result.problems[0]?.message).toContain('GET /wrong/api/v3/core/users/me/ answered 404');
  });

  it('a redirect is reported with where it points, and not followed', async () => {
    const fake = await startFake();
    fake.faults.hostile('redirect');
    const result = await clientOf(fake.url, fake.token).check();
    expect(result.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_REDIRECT');
    expect(result.problems[0]?.message).toContain(
      'http://other-host.invalid/api/v3/core/users/me/',
    );
    expect(result.problems[0]?.fix).toMatch(/set the url to where it redirects/);
  });

  it('an expired enterprise licence, a proxy that fails, a proxy that asks for credentials', async () => {
    const cases = [
      [
        authentikLike({
          probe: (res) =>
            answer(res, 400, '{"detail": "License expired", "code": "denied_license"}'),
        }),
        'ERR_AUTHENTIK_EVENTS_LICENSE',
      ],
      [
        authentikLike({ me: (res) => answer(res, 502, '<html>bad gateway</html>') }),
        'ERR_AUTHENTIK_EVENTS_SERVER_ERROR',
      ],
      [authentikLike({ me: (res) => answer(res, 401, '') }), 'ERR_AUTHENTIK_EVENTS_UNAUTHORIZED'],
      [
        authentikLike({ probe: (res) => answer(res, 405, '{"detail": "no"}') }),
        'ERR_AUTHENTIK_EVENTS_REJECTED',
      ],
      [
        authentikLike({
          create: (res) => answer(res, 400, '{"action": ["\\"custom_\\" is not a valid choice."]}'),
        }),
        'ERR_AUTHENTIK_EVENTS_REJECTED',
      ],
    ] as const;
    for (const [handler, code] of cases) {
      const server = await rawServer(handler);
      const result = await clientOf(server.url, 'some-token-0123456789').check({
        sendTestEvent: true,
      });
      expect(result.ok, code).toBe(false);
      expect(result.problems.map((p) => p.code)).toEqual([code]);
    }
  });

  it('never throws: a wrong timeout falls back to the default, a closed client still checks', async () => {
    const fake = await startFake();
    const client = clientOf(fake.url, fake.token);
    await client.close();
    const result = await client.check({
      timeoutMs: 'soon' as never,
      sendTestEvent: 'yes' as never,
    });
    expect(result).toMatchObject({ ok: true, checks: { testEvent: 'skipped' } });
  });
});

describe('the adapters offer the same check', () => {
  it('Express, Koa and Hono: events.check(); Fastify: app.authentikEvents.check()', async () => {
    const fake = await startFake({ tokens: { 'reader-token-0123456789': 'no_permission' } });
    const options = { url: fake.url, token: 'reader-token-0123456789', app: APP };
    for (const events of [expressEvents(options), koaEvents(options), honoEvents(options)]) {
      const result = await events.check();
      expect(result.problems.map((p) => p.code)).toEqual(['ERR_AUTHENTIK_EVENTS_FORBIDDEN']);
      await events.close();
    }
    const app = Fastify();
    await app.register(fastifyEvents, { url: fake.url, token: fake.token, app: APP });
    expect(await app.authentikEvents.check()).toMatchObject({ ok: true });
    await app.close();
  });

  it('NestJS: the AuthentikEvents service checks, on both platforms', async () => {
    const fake = await startFake({ tokens: { 'reader-token-0123456789': 'no_permission' } });
    for (const platform of ['nest-express', 'nest-fastify'] as const) {
      const app = await createNestApp(
        platform,
        { url: fake.url, token: 'reader-token-0123456789', app: APP },
        {},
      );
      await app.init();
      const result = await app.get(AuthentikEvents).check();
      expect(result.problems.map((p) => p.code)).toEqual(['ERR_AUTHENTIK_EVENTS_FORBIDDEN']);
      await app.close();
    }
  });
});
