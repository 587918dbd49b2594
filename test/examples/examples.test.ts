import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DeliveryReport, EventClient } from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runNode, tableRows } from './run-node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'node-http'] as const;

/**
 * The table rows (action, user, client IP, brand, path, status) the scripted session must leave,
 * in the order they happened. The server's order may differ: the client sends the audit events
 * (logins, exceptions) it holds before the request logs.
 */
const EXPECTED_ROWS = [
  ['login_failed', '-', '127.0.0.1', 'Default brand', '/login', '-'],
  ['custom_http_request', '-', '127.0.0.1', 'Default brand', '/login', '401'],
  ['login', 'alice', '127.0.0.1', 'Default brand', '/login', '-'],
  ['custom_http_request', 'alice', '127.0.0.1', 'Default brand', '/login', '200'],
  ['custom_http_request', 'alice', '127.0.0.1', 'Default brand', '/account', '200'],
  ['custom_http_request', '-', '127.0.0.1', 'Default brand', '/account', '401'],
  ['custom_http_request', '-', '127.0.0.1', 'Default brand', '/boom', '500'],
  ['system_exception', '-', '127.0.0.1', 'Default brand', '/boom', '500'],
  ['login_failed', '-', '127.0.0.1', 'Default brand', '/login', '-'],
  ['custom_http_request', '-', '127.0.0.1', 'Default brand', '/login', '401'],
];
/** Rows in an order of their own, to compare what was stored whatever order it was sent in. */
const sorted = (rows: readonly (readonly string[])[]) => rows.map((row) => row.join(' | ')).sort();

const COUNTERS =
  'client stats: emitted 10, queued 0, in flight 0, delivered 10, retried 0, dropped 0';
const IDENTITY =
  'accounting: emitted 10 = queued 0 + in flight 0 + delivered 10 + dropped 0: holds';

let fake: FakeAuthentik | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('scripts/start.mjs (npm start)', () => {
  it.each(FRAMEWORKS)(
    'runs the %s example against the embedded fake and prints the stored events',
    async (framework) => {
      const run = await runNode(ROOT, ['scripts/start.mjs', framework]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`authentik-events demo: the ${framework} example`);
      expect(run.stdout).toContain('a test double from @authentik-events/testing, not authentik');
      expect(sorted(tableRows(run.stdout))).toEqual(sorted(EXPECTED_ROWS));
      expect(run.stdout).toContain(`\n${COUNTERS}\n`);
      expect(run.stdout).toContain(`\n${IDENTITY}\n`);
      expect(run.stdout).toContain('OK: all 10 events as expected');
      // Readable on a 100-column terminal.
      expect(Math.max(...run.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(
        100,
      );
    },
  );

  it('picks the example from EXAMPLE when no argument is given', async () => {
    const run = await runNode(ROOT, ['scripts/start.mjs'], { EXAMPLE: 'koa' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('example-koa listening on http://127.0.0.1:');
  });

  it('refuses an unknown example with exit code 1 and says which exist', async () => {
    const run = await runNode(ROOT, ['scripts/start.mjs', 'hapi']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'unknown example "hapi": choose one of express, koa, fastify, hono, node-http',
    );
  });

  it('sends to AUTHENTIK_URL with AUTHENTIK_TOKEN when both are set, and reads the events back from there', async () => {
    fake = await startFakeAuthentik({ quiet: true });
    const run = await runNode(ROOT, ['scripts/start.mjs', 'fastify'], {
      AUTHENTIK_URL: fake.url,
      AUTHENTIK_TOKEN: fake.token,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`events go to authentik at ${fake.url}`);
    expect(sorted(tableRows(run.stdout))).toEqual(sorted(EXPECTED_ROWS));
    expect(fake.events.map((event) => event.app)).toEqual(
      Array(10).fill('authentik-events-example-fastify'),
    );
  });

  it('fails with exit code 1 and names the cause when the token is refused', async () => {
    fake = await startFakeAuthentik({ quiet: true });
    const run = await runNode(ROOT, ['scripts/start.mjs', 'express'], {
      AUTHENTIK_URL: fake.url,
      AUTHENTIK_TOKEN: 'not-the-token',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'client stats: emitted 10, queued 0, in flight 0, delivered 0, retried 0, dropped 10 (unauthorized 10)',
    );
    expect(run.stdout).toContain(
      'accounting: emitted 10 = queued 0 + in flight 0 + delivered 0 + dropped 10: holds',
    );
    expect(run.stderr).toContain('FAILED:');
    expect(run.stderr).toContain(
      'authentik refused the token (403 {"detail":"Token invalid/expired"})',
    );
    expect(fake.events).toEqual([]);
  });
});

interface ExampleApp {
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<DeliveryReport>;
  client: EventClient;
}
interface ExampleModule {
  createApp(options: Record<string, unknown>): ExampleApp | Promise<ExampleApp>;
}

describe('createApp of each example', () => {
  it.each(FRAMEWORKS)(
    '%s: records sign-in, the account page and the error, not the health check',
    async (framework) => {
      fake = await startFakeAuthentik({ quiet: true });
      const url = pathToFileURL(`${ROOT}examples/${framework}/app.mjs`).href;
      const { createApp } = (await import(url)) as ExampleModule;
      const example = await createApp({
        url: fake.url,
        token: fake.token,
        app: `test-${framework}`,
        concurrency: 1,
      });
      const base = await example.listen();

      expect((await fetch(`${base}/health`)).status).toBe(200);
      const login = await fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'correct horse battery staple' }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const account = await fetch(`${base}/account`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(account.status).toBe(200);
      expect(await account.json()).toEqual({ username: 'alice', email: 'alice@example.com' });
      const boom = await fetch(`${base}/boom`);
      expect(boom.status).toBe(500);
      await boom.text();

      const report = await example.close();
      expect(report.complete).toBe(true);
      const alice = { pk: 1, username: 'alice', email: 'alice@example.com' };
      const brand = { app: 'authentik_brands', model_name: 'brand', name: 'Default brand' };
      // Compared by content: the audit events may have been sent before the request logs.
      type Row = { path?: string; action: string; custom?: unknown; status?: unknown };
      const key = (row: Row) => `${row.path} ${row.action} ${row.custom} ${row.status}`;
      const byContent = (a: Row, b: Row) => key(a).localeCompare(key(b));
      expect(
        fake.events
          .map((event) => ({
            action: event.action,
            custom: event.context.custom_action,
            user: event.user,
            ip: event.client_ip,
            brand: { ...event.brand, pk: undefined },
            path: (event.context.http_request as { path: string }).path,
            status: event.context.status,
            username: event.context.username,
            message: event.context.message,
            app: event.app,
          }))
          .sort(byContent),
      ).toEqual(
        [
          { action: 'login', user: alice, path: '/login', username: 'alice' },
          { action: 'custom_', custom: 'http_request', user: alice, path: '/login', status: 200 },
          { action: 'custom_', custom: 'http_request', user: alice, path: '/account', status: 200 },
          { action: 'custom_', custom: 'http_request', user: {}, path: '/boom', status: 500 },
          {
            action: 'system_exception',
            user: {},
            path: '/boom',
            status: 500,
            message: 'boom: this route always fails',
          },
        ]
          .map((expected) => ({
            custom: undefined,
            status: undefined,
            username: undefined,
            message: undefined,
            ...expected,
            ip: '127.0.0.1',
            brand: { ...brand, pk: undefined },
            app: `test-${framework}`,
          }))
          .sort(byContent),
      );
      expect(example.client.stats()).toMatchObject({
        emitted: 5,
        delivered: 5,
        queued: 0,
        inFlight: 0,
      });
    },
  );

  it.each(FRAMEWORKS)(
    '%s: close() delivers events still waiting for the brand lookup',
    async (framework) => {
      fake = await startFakeAuthentik({ quiet: true });
      // The brand list answers after the request is done and close() has been called.
      fake.faults.latency(300);
      const url = pathToFileURL(`${ROOT}examples/${framework}/app.mjs`).href;
      const { createApp } = (await import(url)) as ExampleModule;
      const example = await createApp({
        url: fake.url,
        token: fake.token,
        app: `test-${framework}`,
      });
      const base = await example.listen();
      const answer = await fetch(`${base}/account`);
      expect(answer.status).toBe(401);
      await answer.text();

      const report = await example.close();
      expect(report.complete).toBe(true);
      expect(example.client.stats()).toMatchObject({ emitted: 1, delivered: 1 });
      expect(fake.events.map((event) => [event.context.status, event.brand.name])).toEqual([
        [401, 'Default brand'],
      ]);
    },
  );
});
