import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type StoredEvent, startFakeAuthentik } from '../src/index.js';
import { EVENTS, get, postEvent, start, valid } from './helpers.js';

/** Node's timer warnings (Node.js 24 adds negative and NaN delays) from now until stop(). */
function collectTimerWarnings(): { stop: () => Promise<string[]> } {
  const seen: string[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name.startsWith('Timeout')) seen.push(`${warning.name}: ${warning.message}`);
  };
  process.on('warning', onWarning);
  return {
    // Node emits a warning on a later tick.
    stop: () =>
      new Promise((resolve) =>
        setTimeout(() => {
          process.off('warning', onWarning);
          resolve(seen);
        }, 30),
      ),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('starting and addressing', () => {
  it('listens on 127.0.0.1 and a free port by default; url has no trailing slash', async () => {
    const fake = await start();
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('listens on the given port', async () => {
    const port = await freePort();
    const fake = await start({ port });
    expect(fake.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('rejects when the port is taken', async () => {
    const fake = await start();
    const port = Number(new URL(fake.url).port);
    await expect(startFakeAuthentik({ port, quiet: true })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe('waitForEvents', () => {
  it('resolves once enough events are stored', async () => {
    const fake = await start();
    const waiting = fake.waitForEvents(2, 2000);
    await postEvent(fake, valid());
    await postEvent(fake, valid());
    expect(await waiting).toHaveLength(2);
    expect(await fake.waitForEvents(1)).toBe(fake.events);
  });

  it('rejects on timeout, saying how many arrived', async () => {
    const fake = await start();
    await postEvent(fake, valid());
    await expect(fake.waitForEvents(3, 100)).rejects.toThrow(/timed out after 100 ms with 1 of 3/);
  });

  it('rejects when the fake is closed', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    const waiting = fake.waitForEvents(1, 5000);
    await fake.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
  it.each([
    ['n', -1, 100, 'n must be an integer >= 0, got -1'],
    ['n', 1.5, 100, 'n must be an integer >= 0, got 1.5'],
    ['n', Number.NaN, 100, 'n must be an integer >= 0, got NaN'],
    ['n', '2', 100, 'n must be an integer >= 0, got a string'],
    ['timeoutMs', 1, -1, 'timeoutMs must be a number of milliseconds >= 0'],
    ['timeoutMs', 1, Number.NaN, 'got NaN'],
    ['timeoutMs', 1, '100', 'got a string'],
    ['timeoutMs', 1, Symbol('ms'), 'got a symbol'],
  ])(
    'refuses a bad %s (%s, %s) at once, saying what it takes',
    async (_, n, timeoutMs, message) => {
      const fake = await start();
      const warnings = collectTimerWarnings();
      await expect(fake.waitForEvents(n as number, timeoutMs as number)).rejects.toThrow(
        expect.objectContaining({ name: 'RangeError', message: expect.stringContaining(message) }),
      );
      // Node.js 24 warns about a negative or NaN timer: none was started.
      expect(await warnings.stop()).toEqual([]);
    },
  );

  it('a timeoutMs past the 32-bit timer limit, or Infinity, waits instead of failing after 1 ms', async () => {
    const fake = await start();
    const warnings = collectTimerWarnings();
    const long = fake.waitForEvents(1, 2 ** 31);
    const forever = fake.waitForEvents(1, Number.POSITIVE_INFINITY);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await postEvent(fake, valid());
    expect(await long).toHaveLength(1);
    expect(await forever).toHaveLength(1);
    expect(await warnings.stop()).toEqual([]);
  });

  it('a timeoutMs of 0 is a deadline that has passed', async () => {
    const fake = await start();
    await expect(fake.waitForEvents(1, 0)).rejects.toThrow(/timed out after 0 ms with 0 of 1/);
    expect(await fake.waitForEvents(0, 0)).toEqual([]);
  });
});

describe('recorded requests', () => {
  it('records method, path, headers, body, status and time', async () => {
    const fake = await start();
    const before = Date.now();
    await postEvent(fake, valid());
    await get(fake, `${EVENTS}?page=1`);
    const [post, read] = fake.requests;
    expect(post).toMatchObject({
      method: 'POST',
      path: EVENTS,
      body: JSON.stringify(valid()),
      status: 201,
    });
    expect(post?.headers.authorization).toBe(`Bearer ${fake.token}`);
    expect(post?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(read).toMatchObject({ method: 'GET', path: `${EVENTS}?page=1`, body: '', status: 200 });
    expect(fake.requestCount).toBe(2);
  });

  it('keeps only the most recent ones but counts them all', async () => {
    const fake = await start({ maxRecordedRequests: 10 });
    for (let i = 0; i < 30; i++) await postEvent(fake, valid({ app: `a${i}` }));
    expect(fake.requestCount).toBe(30);
    expect(fake.requests.length).toBeGreaterThanOrEqual(10);
    expect(fake.requests.length).toBeLessThanOrEqual(11);
    expect(fake.requests.at(-1)?.body).toContain('"a29"');
    expect(fake.events).toHaveLength(30);
  });
});

describe('clear', () => {
  it('empties events and requests in place and resets the counters', async () => {
    const fake = await start();
    const { events, requests } = fake;
    fake.faults.latency(300);
    await Promise.all([postEvent(fake, valid()), postEvent(fake, valid())]);
    expect(fake.maxConcurrent).toBe(2);
    fake.clear();
    expect(events).toHaveLength(0);
    expect(requests).toHaveLength(0);
    expect(fake.events).toBe(events);
    expect(fake.requestCount).toBe(0);
    expect(fake.maxConcurrent).toBe(0);
    await postEvent(fake, valid());
    expect(events).toHaveLength(1);
  });
});

describe('onEvent', () => {
  it('is called with each stored event', async () => {
    const seen: StoredEvent[] = [];
    const fake = await start({ onEvent: (e) => seen.push(e) });
    await postEvent(fake, valid());
    await postEvent(fake, []);
    expect(seen).toEqual(fake.events);
  });
});

describe('close', () => {
  it('stops listening, destroys open sockets and is idempotent', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    fake.faults.hostile('hang');
    const hanging = fetch(`${fake.url}${EVENTS}`, { method: 'POST', body: '{}' }).catch(
      (e: Error) => e,
    );
    await new Promise((r) => setTimeout(r, 50));
    const first = fake.close();
    expect(fake.close()).toBe(first);
    await first;
    expect(await hanging).toBeInstanceOf(Error);
    await expect(fetch(fake.url)).rejects.toThrow();
    await expect(fake.faults.up()).rejects.toThrow(/closed/);
  });
});
