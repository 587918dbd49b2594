import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_LIMITS, EventStream } from '../src/event-page/event-stream.js';
import { isDirectHost } from '../src/event-page/host-check.js';
import { NOT_SHOWN } from '../src/event-page/page-event.js';
import { resolvePageOptions } from '../src/event-page/page-options.js';
import { EventStore } from '../src/event-store.js';
import { type FakeAuthentik, startFakeAuthentik } from '../src/index.js';
import { Timers } from '../src/timers.js';
import { openStream, type StreamReader } from './event-stream-reader.js';
import { postEvent, rawRequest, start, valid } from './helpers.js';

const ASSETS = [
  ['/', 'text/html; charset=utf-8'],
  ['/_fake/event-page.js', 'text/javascript; charset=utf-8'],
  ['/_fake/event-page.css', 'text/css; charset=utf-8'],
  ['/_fake/icon.svg', 'image/svg+xml'],
] as const;

const streams: StreamReader[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

async function stream(
  fake: FakeAuthentik,
  headers: Record<string, string> = {},
): Promise<StreamReader> {
  const opened = await openStream(`${fake.url}/_fake/stream`, headers);
  streams.push(opened);
  return opened;
}

const isReady = (frame: { event: string }) => frame.event === 'ready';

describe('the event page: files and headers', () => {
  it.each(ASSETS)(
    'serves %s as %s with a strict policy, nothing cached, no token in it',
    async (path, type) => {
      const fake = await start();
      const answer = await fetch(`${fake.url}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(type);
      expect(answer.headers.get('content-security-policy')).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const body = await answer.text();
      expect(body.length).toBeGreaterThan(100);
      expect(body).not.toContain(fake.token);
    },
  );

  it('the page has no inline script or style for the policy to refuse, and the script writes no HTML', async () => {
    const fake = await start();
    const html = await (await fetch(`${fake.url}/`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const script = await (await fetch(`${fake.url}/_fake/event-page.js`)).text();
    expect(script).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
    );
  });

  it('HEAD answers the headers only', async () => {
    const fake = await start();
    const answer = await rawRequest(fake, { method: 'HEAD', path: '/' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(100);
  });

  it('a POST to / is still the API 404, and other methods on the page are not the page', async () => {
    const fake = await start();
    const posted = await postEvent(fake, valid(), {}, '/');
    expect(posted.status).toBe(404);
    expect(posted.text).toContain('<h1>Not Found</h1>');
    expect(fake.events).toEqual([]);
  });

  it('is not in `requests` and no fault touches it: the API hangs, the page answers', async () => {
    const fake = await start();
    fake.faults.hostile('hang');
    fake.faults.latency(10_000);
    for (const [path] of ASSETS) expect((await fetch(`${fake.url}${path}`)).status).toBe(200);
    const live = await stream(fake);
    expect(live.status).toBe(200);
    expect(fake.requestCount).toBe(0);
    expect(fake.requests).toEqual([]);
  });
});

describe('the event page: who may see it', () => {
  it.each([
    'evil.example',
    'evil.example:9000',
    'attacker.localhost.evil.example',
    '127.0.0.1.nip.io',
  ])(
    'refuses Host %j (DNS rebinding: a web page that made its own name point here)',
    async (host) => {
      const fake = await start();
      for (const path of ['/', '/_fake/event-page.js', '/_fake/stream']) {
        const answer = await rawRequest(fake, { method: 'GET', path, headers: { host } });
        expect(answer.status).toBe(403);
        expect(answer.text).toBe('the event page answers only under an IP address or localhost\n');
      }
    },
  );

  it('refuses a request without a Host header (HTTP/1.0)', async () => {
    const fake = await start();
    const { port } = new URL(fake.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET / HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
  });

  it.each(['127.0.0.1', 'localhost', '[::1]', '192.168.1.20'])(
    'answers under Host %s with the port',
    async (name) => {
      const fake = await start();
      const port = new URL(fake.url).port;
      const answer = await rawRequest(fake, {
        method: 'GET',
        path: '/',
        headers: { host: `${name}:${port}` },
      });
      expect(answer.status).toBe(200);
    },
  );

  it('isDirectHost: IP literals and localhost only', () => {
    expect(isDirectHost('10.0.0.5')).toBe(true);
    expect(isDirectHost('[fe80::1]:80')).toBe(true);
    expect(isDirectHost('LOCALHOST:9000')).toBe(true);
    expect(isDirectHost(undefined)).toBe(false);
    expect(isDirectHost('a b')).toBe(false);
    expect(isDirectHost('localhost.evil.example')).toBe(false);
    expect(isDirectHost('127.1')).toBe(true); // the URL parser reads it as 127.0.0.1, an address
  });

  it('is on by default on a loopback address only, and `page` decides otherwise', () => {
    for (const host of ['127.0.0.1', '127.5.5.5', '::1', 'localhost'])
      expect(resolvePageOptions(host, undefined, undefined, 16)).toEqual({
        enabled: true,
        maxClients: 16,
      });
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com'])
      expect(resolvePageOptions(host, undefined, undefined, 16).enabled).toBe(false);
    expect(resolvePageOptions('0.0.0.0', true, 3, 16)).toEqual({ enabled: true, maxClients: 3 });
    expect(resolvePageOptions('127.0.0.1', false, undefined, 16).enabled).toBe(false);
  });

  it.each([
    [{ page: 'yes' }, 'option "page" must be true or false, got string'],
    [{ maxPageClients: 0 }, 'option "maxPageClients" must be a whole number from 1 to 1000, got 0'],
    [{ maxPageClients: 1.5 }, 'got 1.5'],
    [{ maxPageClients: Number.POSITIVE_INFINITY }, 'got Infinity'],
  ])('refuses %j with an error that names the option', async (options, message) => {
    await expect(startFakeAuthentik({ quiet: true, ...(options as object) })).rejects.toThrow(
      message,
    );
  });

  it('page: false serves no page: / and the stream are the API 404', async () => {
    const fake = await start({ page: false });
    expect(fake.pageUrl).toBeUndefined();
    for (const path of ['/', '/_fake/stream', '/_fake/event-page.js']) {
      const answer = await fetch(`${fake.url}${path}`);
      expect(answer.status).toBe(404);
      expect(await answer.text()).toContain('<h1>Not Found</h1>');
    }
  });
});

describe('the event page: its live feed', () => {
  it('sends the stored events oldest first, then each new one as it is stored, then a reset on clear()', async () => {
    const fake = await start();
    expect(fake.pageUrl).toBe(`${fake.url}/`);
    await postEvent(fake, valid({ action: 'login', app: 'first' }));
    await postEvent(fake, valid({ action: 'logout', app: 'second' }));
    const live = await stream(fake);
    expect(live.status).toBe(200);
    expect(live.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await live.next(isReady);
    expect(live.raw.startsWith('retry: 2000\n\n')).toBe(true);
    expect(live.frames).toEqual([
      { event: 'reset', data: '{"total":2,"sent":2}' },
      { event: 'message', data: JSON.stringify(fake.events[0]) },
      { event: 'message', data: JSON.stringify(fake.events[1]) },
      { event: 'ready', data: '{}' },
    ]);
    await postEvent(fake, valid({ action: 'model_created', app: 'third' }));
    const third = await live.next((frame) => frame.data.includes('"third"'));
    expect(JSON.parse(third.data)).toEqual(fake.events[2]);
    const before = live.frames.length;
    fake.clear();
    await live.next((frame) => frame.event === 'reset', before);
    expect(live.frames.slice(before)).toEqual([
      { event: 'reset', data: '{"total":0,"sent":0}' },
      { event: 'ready', data: '{}' },
    ]);
  });

  it('carries the stored events only: never the token or anything else of the requests', async () => {
    const fake = await start();
    const live = await stream(fake);
    await live.next(isReady);
    for (let i = 0; i < 5; i++) {
      await postEvent(fake, valid({ context: { n: i } }), {
        'User-Agent': 'agent-that-must-not-show',
        Cookie: 'session=abc',
      });
    }
    await live.next((frame) => frame.data.includes('"n":4'));
    expect(live.raw).not.toContain(fake.token);
    expect(live.raw).not.toContain('agent-that-must-not-show');
    expect(live.raw).not.toContain('session=abc');
  });

  it('keeps hostile text as JSON data, one line per event', async () => {
    const fake = await start();
    const live = await stream(fake);
    await live.next(isReady);
    const hostile =
      '</script><script>alert(1)</script>\n\ndata: {"forged":true}\r\n\r\nevent: reset\n';
    await postEvent(
      fake,
      valid({ app: 'x', context: { note: hostile }, user: { username: hostile } }),
    );
    const frame = await live.next((candidate) => candidate.data.includes('forged'));
    expect(JSON.parse(frame.data).context.note).toBe(hostile);
    expect(live.frames.filter((candidate) => candidate.event === 'reset')).toHaveLength(1);
  });

  it('sends an event too large for a row with a note in place of its context', async () => {
    const fake = await start();
    const live = await stream(fake);
    await live.next(isReady);
    await postEvent(
      fake,
      valid({ user: { username: 'jane' }, context: { blob: 'x'.repeat(200_000) } }),
    );
    const frame = await live.next((candidate) => candidate.data.includes('jane'));
    const sent = JSON.parse(frame.data);
    expect(frame.data.length).toBeLessThan(2000);
    expect(sent.user).toEqual({ username: 'jane' });
    expect(sent.context[NOT_SHOWN]).toMatch(/^200\d{3} characters, too long to show here/);
    expect(fake.events[0]?.context.blob).toHaveLength(200_000);
  });

  it('caps the live pages: one more is answered 503, and a page that leaves frees its place', async () => {
    const fake = await start({ maxPageClients: 2 });
    const first = await stream(fake);
    const second = await stream(fake);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await stream(fake);
    expect(third.status).toBe(503);
    await third.ended;
    expect(third.raw).toBe('the event page has 2 live connections already: close a tab of it\n');
    first.close();
    let again: StreamReader | undefined;
    for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt++) {
      again?.close();
      again = await stream(fake);
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(again?.status).toBe(200);
  });

  it('close() ends the open streams at once', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    const live = await stream(fake);
    await live.next(isReady);
    const t0 = performance.now();
    await fake.close();
    await live.ended;
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('down() ends the stream; after up() a page that reconnects gets the events again', async () => {
    const fake = await start();
    await postEvent(fake, valid());
    const live = await stream(fake);
    await live.next(isReady);
    await fake.faults.down();
    await live.ended;
    await fake.faults.up();
    const again = await stream(fake);
    await again.next(isReady);
    expect(again.frames.map((frame) => frame.event)).toEqual(['reset', 'message', 'ready']);
  });
});

describe('EventStream on its own (bounds that take too long to reach through the fake)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function serveStream(hub: EventStream): Promise<string> {
    server = createServer((req, res) => hub.open(req, res, {}));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  const stored = (store: EventStore, context: Record<string, unknown>) =>
    store.add(
      {
        action: 'login',
        app: 'a',
        user: undefined,
        context,
        client_ip: null,
        expires: undefined,
        brand: undefined,
      },
      Date.now(),
    );

  it('sends only the newest events at first, within the backlog bounds, and says how many there are', async () => {
    const store = new EventStore();
    for (let i = 0; i < 5; i++) stored(store, { n: i });
    const hub = new EventStream(store, new Timers(), {
      ...DEFAULT_STREAM_LIMITS,
      backlogEvents: 3,
    });
    const live = await openStream(await serveStream(hub));
    streams.push(live);
    await live.next(isReady);
    expect(live.frames[0]).toEqual({ event: 'reset', data: '{"total":5,"sent":3}' });
    expect(live.frames.slice(1, -1).map((frame) => JSON.parse(frame.data).context.n)).toEqual([
      2, 3, 4,
    ]);
  });

  it('sends a comment now and then, and forgets a page that left: its timer and the store watcher go', async () => {
    const store = new EventStore();
    const timers = new Timers();
    const hub = new EventStream(store, timers, { ...DEFAULT_STREAM_LIMITS, heartbeatMs: 30 });
    const live = await openStream(await serveStream(hub));
    streams.push(live);
    await live.next(isReady);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(live.raw).toContain(': alive\n\n');
    expect(hub.clientCount).toBe(1);
    live.close();
    for (let i = 0; i < 50 && hub.clientCount > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hub.clientCount).toBe(0);
    expect((timers as unknown as { pending: Set<unknown> }).pending.size).toBe(0);
    expect((store as unknown as { watchers: Set<unknown> }).watchers.size).toBe(0);
  });

  it('drops a page that stopped reading instead of buffering for it without end', async () => {
    const store = new EventStore();
    const hub = new EventStream(store, new Timers(), {
      ...DEFAULT_STREAM_LIMITS,
      maxBufferedBytes: 256 * 1024,
    });
    const live = await openStream(await serveStream(hub));
    streams.push(live);
    await live.next(isReady);
    live.response.pause(); // a tab that hangs: reads nothing more
    const chunk = 'y'.repeat(60 * 1024);
    for (let i = 0; i < 400 && hub.clientCount > 0; i++) {
      stored(store, { chunk, i });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hub.clientCount).toBe(0);
  });
});
