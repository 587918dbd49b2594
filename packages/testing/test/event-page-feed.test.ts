import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_LIMITS, EventStream } from '../src/event-page/event-stream.js';
import { NOT_SHOWN } from '../src/event-page/page-event.js';
import { EventStore } from '../src/event-store.js';
import { startFakeAuthentik } from '../src/index.js';
import { Timers } from '../src/timers.js';
import {
  isReady,
  openClosedAfterTest,
  pageStream,
  type StreamReader,
} from './event-stream-reader.js';
import { postEvent, start, valid } from './helpers.js';

describe('the event page: its live feed', () => {
  it('sends the stored events oldest first, then each new one as it is stored, then a reset on clear()', async () => {
    const fake = await start();
    expect(fake.pageUrl).toBe(`${fake.url}/`);
    await postEvent(fake, valid({ action: 'login', app: 'first' }));
    await postEvent(fake, valid({ action: 'logout', app: 'second' }));
    const live = await pageStream(fake);
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
    const live = await pageStream(fake);
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
    const live = await pageStream(fake);
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
    const live = await pageStream(fake);
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
    const first = await pageStream(fake);
    const second = await pageStream(fake);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await pageStream(fake);
    expect(third.status).toBe(503);
    await third.ended;
    expect(third.raw).toBe('the event page has 2 live connections already: close a tab of it\n');
    first.close();
    let again: StreamReader | undefined;
    for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt++) {
      again?.close();
      again = await pageStream(fake);
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(again?.status).toBe(200);
  });

  it('close() ends the open streams at once', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    const live = await pageStream(fake);
    await live.next(isReady);
    const t0 = performance.now();
    await fake.close();
    await live.ended;
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('down() ends the stream; after up() a page that reconnects gets the events again', async () => {
    const fake = await start();
    await postEvent(fake, valid());
    const live = await pageStream(fake);
    await live.next(isReady);
    await fake.faults.down();
    await live.ended;
    await fake.faults.up();
    const again = await pageStream(fake);
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
    const live = await openClosedAfterTest(await serveStream(hub));
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
    const live = await openClosedAfterTest(await serveStream(hub));
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
    const live = await openClosedAfterTest(await serveStream(hub));
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
