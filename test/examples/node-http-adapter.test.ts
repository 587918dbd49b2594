import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  type DeliveryReport,
  type EventClient,
  type RequestEvents,
  type RequestReader,
} from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';

type Handler = (
  req: IncomingMessage & { authentik: RequestEvents; user?: unknown },
  res: ServerResponse,
) => unknown;
interface NodeHttpAdapter {
  client: EventClient;
  handler(handle: Handler): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  close(options?: { timeoutMs?: number }): Promise<DeliveryReport | undefined>;
}
interface AdapterModule {
  authentikEvents(options?: Record<string, unknown>): NodeHttpAdapter;
  nodeHttpReader: RequestReader<IncomingMessage>;
}

const { authentikEvents, nodeHttpReader } = (await import(
  pathToFileURL(
    new URL('../../examples/node-http/authentik-events-http.mjs', import.meta.url).pathname,
  ).href
)) as AdapterModule;

let fake: FakeAuthentik | undefined;
let server: Server | undefined;
let events: NodeHttpAdapter | undefined;
afterEach(async () => {
  if (server?.listening) await new Promise((resolve) => server?.close(resolve));
  await events?.close({ timeoutMs: 2000 });
  await fake?.close();
  fake = server = events = undefined;
});

/** The custom adapter on a real server, sending to a fresh fake; resolves with the base URL. */
async function serve(handle: Handler, options: Record<string, unknown> = {}): Promise<string> {
  fake = await startFakeAuthentik({ quiet: true });
  events = authentikEvents({ url: fake.url, token: fake.token, app: 'node-http-test', ...options });
  server = createServer(events.handler(handle));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The stored events as [action (custom_ spelled out), status, extra] after the client flushed. */
async function stored(): Promise<Array<Record<string, unknown>>> {
  await events?.client.flush({ timeoutMs: 5000 });
  return (fake as FakeAuthentik).events.map((event) => ({
    action: event.action === 'custom_' ? `custom_${event.context.custom_action}` : event.action,
    status: event.context.status,
    ...(event.context.aborted ? { aborted: true } : {}),
    ...(event.context.message ? { message: event.context.message } : {}),
  }));
}

describe('the node:http example adapter (createRecorder + RequestReader)', () => {
  it('refuses a misspelt option with a ConfigError that names it and the option meant', () => {
    expect(() =>
      authentikEvents({ url: 'http://127.0.0.1:1', token: 'token-1234', concurency: 2 }),
    ).toThrow(ConfigError);
    expect(() =>
      authentikEvents({ url: 'http://127.0.0.1:1', token: 'token-1234', concurency: 2 }),
    ).toThrow('option "concurency" is not an option; did you mean "concurrency"?');
  });

  it('records a handler that rejects as system_exception, answers 500, and the server lives on', async () => {
    const base = await serve(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new TypeError('the database went away');
    });
    const first = await fetch(`${base}/orders`);
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ error: 'internal error' });
    expect((await fetch(`${base}/orders`)).status).toBe(500);
    // Audit events (system_exception) are sent before request logs: the order is the sender's.
    const events = await stored();
    expect(events).toHaveLength(4);
    expect(events).toEqual(
      expect.arrayContaining([
        { action: 'custom_http_request', status: 500 },
        { action: 'system_exception', status: 500, message: 'the database went away' },
      ]),
    );
    expect(events.filter((event) => event.action === 'system_exception')).toHaveLength(2);
  });

  it('a handler that throws after the headers went out: the connection is cut, the request recorded as aborted', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('half an answer');
      throw new Error('failed while streaming');
    });
    await expect(fetch(`${base}/export`).then((response) => response.text())).rejects.toThrow();
    expect(await stored()).toEqual([{ action: 'custom_http_request', status: 200, aborted: true }]);
  });

  it('a client that goes away before the answer: recorded once, as aborted, without a status', async () => {
    let arrived: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const base = await serve(async (_req, res) => {
      arrived();
      await new Promise((resolve) => res.once('close', resolve));
    });
    const req = httpRequest(`${base}/slow`);
    req.on('error', () => {});
    req.end();
    await requestArrived;
    req.destroy();
    await fake?.waitForEvents(1);
    expect(await stored()).toEqual([
      { action: 'custom_http_request', status: null, aborted: true },
    ]);
  });

  it('fills in the request facts, ignores a forged X-Forwarded-For and keeps hostile text as data', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const base = await serve((req, res) => {
      req.user = { id: 7, username: hostile, email: 'eve@example.com', password: 'hunter2' };
      req.authentik.emit('login_failed', {
        context: { username: hostile, apiKey: 'secret-value' },
      });
      res.writeHead(401).end();
    });
    const answer = await fetch(`${base}/login?token=abc&q=1`, {
      headers: {
        'x-forwarded-for': '203.0.113.9',
        'user-agent': 'test-agent',
        host: 'shop.example.com:8080',
      },
    });
    expect(answer.status).toBe(401);
    await events?.client.flush({ timeoutMs: 5000 });
    const [login, request] = fake?.events ?? [];
    expect(login).toMatchObject({
      action: 'login_failed',
      client_ip: '127.0.0.1',
      user: { pk: 7, username: hostile, email: 'eve@example.com' },
      context: {
        username: hostile,
        apiKey: '********************',
        http_request: {
          path: '/login',
          method: 'GET',
          user_agent: 'test-agent',
          args: { token: '********************', q: '1' },
        },
      },
    });
    expect(JSON.stringify(login?.user)).not.toContain('hunter2');
    expect(request).toMatchObject({
      action: 'custom_',
      client_ip: '127.0.0.1',
      context: { status: 401 },
    });
  });

  it("the example app: a body too large or not JSON is the client's mistake (413, 415), no system_exception", async () => {
    fake = await startFakeAuthentik({ quiet: true });
    const { createApp } = (await import(
      pathToFileURL(new URL('../../examples/node-http/app.mjs', import.meta.url).pathname).href
    )) as {
      createApp(options: Record<string, unknown>): {
        listen(): Promise<string>;
        close(): Promise<DeliveryReport | undefined>;
        client: EventClient;
      };
    };
    const app = createApp({ url: fake.url, token: fake.token, brand: undefined });
    const base = await app.listen();
    const large = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'a'.repeat(20_000), password: 'x' }),
    });
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({ error: 'the body is larger than 16384 bytes' });
    const notJson = await fetch(`${base}/login`, { method: 'POST', body: 'username=alice' });
    expect(notJson.status).toBe(415);
    await notJson.text();
    await app.close();
    expect(fake.events.map((event) => [event.action, event.context.status])).toEqual([
      ['custom_', 413],
      ['custom_', 415],
    ]);
  });

  it('reads the host without its port, IPv6 literals included', () => {
    const host = (value: string | undefined) =>
      nodeHttpReader.host({ headers: { host: value } } as IncomingMessage);
    expect(host('shop.example.com:8080')).toBe('shop.example.com');
    expect(host('shop.example.com')).toBe('shop.example.com');
    expect(host('[::1]:8080')).toBe('[::1]');
    expect(host(undefined)).toBeUndefined();
    expect(nodeHttpReader.trustsProxy({} as IncomingMessage)).toBe(false);
  });
});
