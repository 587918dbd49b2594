import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientOptions, createEventClient, type EventClient } from '@authentik-events/core';
import {
  type FakeAuthentik,
  type HostileMode,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { identityHolds, waitUntil } from '../reliability/support/accounting.js';
import { startApp } from '../reliability/support/app-under-test.js';

const EVENTS = 5;
/** A deadline is a promise to the app; the margin only absorbs a busy machine. */
const CLOSE_TIMEOUT_MS = 1000;
const DEADLINE_MARGIN_MS = 1500;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function hostileFake(mode: HostileMode): Promise<FakeAuthentik> {
  const fake = await startFakeAuthentik({ quiet: true });
  fake.faults.hostile(mode);
  cleanups.push(() => fake.close());
  return fake;
}

function client(url: string, options: ClientOptions = {}): EventClient {
  const created = createEventClient({
    url,
    token: 'hostile-test-token',
    app: 'hostile-test',
    flushIntervalMs: 10,
    requestTimeoutMs: 500,
    retry: { retries: 1, minDelayMs: 10, maxDelayMs: 50 },
    onError: () => {},
    ...options,
  });
  cleanups.push(() => created.close({ timeoutMs: 100 }));
  return created;
}

/** Emits EVENTS events, lets the client work on them, then closes with a deadline. */
async function runAgainst(url: string, options: ClientOptions = {}, workMs = 0) {
  const c = client(url, options);
  for (let i = 0; i < EVENTS; i++) c.emit({ action: 'login', context: { i } });
  if (workMs > 0) await c.flush({ timeoutMs: workMs });
  const closingAt = Date.now();
  const report = await c.close({ timeoutMs: CLOSE_TIMEOUT_MS });
  const closeMs = Date.now() - closingAt;
  const stats = c.stats();
  expect(stats).toMatchObject({ emitted: EVENTS, queued: 0, inFlight: 0 });
  expect(identityHolds(stats)).toBe(true);
  expect(closeMs).toBeLessThan(CLOSE_TIMEOUT_MS + DEADLINE_MARGIN_MS);
  return { report, stats, closeMs };
}

interface Recorded {
  url: string;
  requests: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }>;
}

/** A plain server standing for "another host": it must never hear from the client. */
async function otherHost(): Promise<Recorded & { server: Server }> {
  const requests: Recorded['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(201, { 'Content-Type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { server, requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A server that answers every request with a redirect to `target` (same path). */
async function redirector(status: number, target: string): Promise<Recorded> {
  const requests: Recorded['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(status, { Location: `${target}${req.url}`, 'Content-Length': 0 }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('a hostile server cannot hang the client', () => {
  it('hang: close returns by its deadline and reports the events as closed', async () => {
    const fake = await hostileFake('hang');
    // A request timeout far beyond the close deadline: only close's own deadline can end it.
    const { report, stats } = await runAgainst(fake.url, { requestTimeoutMs: 60_000 }, 300);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(report).toMatchObject({ delivered: 0, pending: 0, complete: false });
    expect(report.dropped.closed).toBe(EVENTS);
    expect(stats.dropped.closed).toBe(EVENTS);
  });

  it('slow-loris: the 201 decides (delivered once, no retry, no duplicate); the body is read no longer than the request timeout', async () => {
    const fake = await hostileFake('slow-loris');
    // The status line says the event is stored; a body that drips forever cannot change that,
    // and cannot hold the request's slot past its timeout either.
    const c = client(fake.url, { requestTimeoutMs: 300 });
    for (let i = 0; i < EVENTS; i++) c.emit({ action: 'login' });
    const flushed = await c.flush({ timeoutMs: 10_000 });
    expect(flushed).toMatchObject({ delivered: EVENTS, retried: 0, pending: 0, complete: true });
    expect(fake.requests).toHaveLength(EVENTS);
    // The same through flush and close: every event delivered by the end, none closed.
    const { stats } = await runAgainst(fake.url, { requestTimeoutMs: 300 }, 10_000);
    expect(stats.delivered).toBe(EVENTS);
    expect(stats.dropped.closed).toBe(0);
  });
});

describe('a hostile server cannot make the client grow without bound', () => {
  it('huge-body: reads a capped part of a 512 MiB answer, then counts the 201 as delivered', async () => {
    const fake = await hostileFake('huge-body');
    const before = process.memoryUsage();
    const c = client(fake.url, { requestTimeoutMs: 10_000, concurrency: 4 });
    for (let i = 0; i < 20; i++) c.emit({ action: 'login' });
    const report = await c.flush({ timeoutMs: 20_000 });
    const after = process.memoryUsage();
    // What it does: the status is 201, the body is only read far enough for a message (the
    // rest is dropped with the connection), so the event counts as delivered.
    expect(report).toMatchObject({ delivered: 20, retried: 0, complete: true });
    const grownMiB = (after.heapUsed - before.heapUsed) / 2 ** 20;
    console.log(
      `[hostile huge-body] delivered=20 heapGrowthMiB=${grownMiB.toFixed(1)} rssMiB=${(after.rss / 2 ** 20).toFixed(0)}`,
    );
    // 20 answers of 512 MiB each: had any been buffered, this would be gigabytes.
    expect(grownMiB).toBeLessThan(64);
    expect(after.rss - before.rss).toBeLessThan(256 * 2 ** 20);
  });

  it('invalid-json in a 201: still delivered (a success body is not parsed)', async () => {
    const fake = await hostileFake('invalid-json');
    const { stats } = await runAgainst(fake.url, {}, 5000);
    expect(stats.delivered).toBe(EVENTS);
    expect(fake.requests).toHaveLength(EVENTS);
  });
});

describe('a redirect is never followed', () => {
  it("the fake's redirect: the event is rejected, not retried, not sent elsewhere", async () => {
    const fake = await hostileFake('redirect');
    const c = client(fake.url);
    c.emit({ action: 'login' });
    const report = await c.flush({ timeoutMs: 5000 });
    expect(report.dropped.rejected).toBe(1);
    expect(fake.requests).toHaveLength(1);
  });

  it.each([301, 302, 303, 307, 308])(
    '%i to another port on 127.0.0.1: the other host hears nothing',
    async (status) => {
      const other = await otherHost();
      const redirecting = await redirector(status, other.url);
      const errors: string[] = [];
      const c = client(redirecting.url, { onError: (error) => errors.push(error.message) });
      for (let i = 0; i < EVENTS; i++) c.emit({ action: 'login' });
      const report = await c.flush({ timeoutMs: 5000 });
      expect(report.dropped.rejected).toBe(EVENTS);
      expect(errors.some((message) => message.includes('redirects are not followed'))).toBe(true);
      expect(redirecting.requests).toHaveLength(EVENTS);
      expect(other.requests).toEqual([]);
    },
  );

  it('the brand lookup (an API read with the token) does not follow a redirect either', async () => {
    const other = await otherHost();
    const redirecting = await redirector(307, other.url);
    const app = await startApp({
      framework: 'express',
      adapter: {
        url: redirecting.url,
        token: 'hostile-test-token',
        app: 'hostile-test',
        brand: 'lookup',
        onError: () => {},
      },
    });
    cleanups.push(() => app.close(100));
    expect((await fetch(app.url)).status).toBe(200);
    // The request's event is held (emitted at once) for the lookup, which fails on the redirect.
    await waitUntil(() => app.client.stats().emitted === 1, 'the request was recorded');
    await waitUntil(
      () => redirecting.requests.some((request) => request.url?.startsWith('/api/v3/core/brands/')),
      'the brand lookup reached the redirecting server',
    );
    await waitUntil(() => app.client.stats().awaitingLookup === 0, 'the lookup ended');
    expect(other.requests).toEqual([]);
    expect(other.requests.filter((request) => request.headers.authorization !== undefined)).toEqual(
      [],
    );
  });
});
