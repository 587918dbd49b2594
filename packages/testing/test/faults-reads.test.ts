import { describe, expect, it } from 'vitest';
import { get, postEvent, start, valid } from './helpers.js';

const USERS = '/api/v3/core/users/';
const BRANDS = '/api/v3/core/brands/';

describe('faults.hostileReads: hostile answers to the users and brands reads only', () => {
  it('huge-body: a read answers 200 with an endless body, an event POST is stored as usual', async () => {
    const fake = await start();
    fake.faults.hostileReads('huge-body');
    const res = await fetch(`${fake.url}${USERS}?username=jane`, {
      headers: { Authorization: `Bearer ${fake.token}` },
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 8 * 1024 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      read += value.length;
    }
    await reader.cancel();
    expect(read).toBeGreaterThanOrEqual(8 * 1024 * 1024);

    expect((await postEvent(fake, valid())).status).toBe(201);
    expect(fake.events).toHaveLength(1);
  });

  it('hang: a read is never answered (in progress until its connection closes), an event POST is', async () => {
    const fake = await start();
    fake.faults.hostileReads('hang');
    const controller = new AbortController();
    const reading = fetch(`${fake.url}${BRANDS}`, {
      headers: { Authorization: `Bearer ${fake.token}` },
      signal: controller.signal,
    }).catch((e: Error) => e);
    await expect.poll(() => fake.readsInProgress).toBe(1);
    expect((await postEvent(fake, valid())).status).toBe(201);
    controller.abort();
    expect(((await reading) as Error).name).toBe('AbortError');
    await expect.poll(() => fake.readsInProgress).toBe(0);
  });

  it('rejects an unknown mode, and reset() turns it off', async () => {
    const fake = await start();
    expect(() => fake.faults.hostileReads('nope' as never)).toThrow(RangeError);
    fake.faults.hostileReads('hang');
    fake.faults.reset();
    expect((await get(fake, BRANDS)).status).toBe(200);
  });
});

describe('faults.answerReads: any answer to the users and brands reads', () => {
  it('answers with what the answerer returns, seeing the path, query and headers', async () => {
    const fake = await start();
    const seen: string[] = [];
    fake.faults.answerReads((read) => {
      seen.push(`${read.path} ${read.query.get('username')} ${read.headers['x-probe']}`);
      return { status: 500, body: { echoed: read.headers.authorization } };
    });
    const res = await fetch(`${fake.url}${USERS}?username=jane`, {
      headers: { Authorization: `Bearer ${fake.token}`, 'x-probe': 'p' },
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ echoed: `Bearer ${fake.token}` });
    expect(seen).toEqual([`${USERS} jane p`]);
  });

  it('sends a string body as it is, and lets the directory answer when it returns undefined', async () => {
    const fake = await start();
    fake.faults.answerReads((read) => (read.path === USERS ? { body: 'not json' } : undefined));
    expect((await get(fake, USERS)).text).toBe('not json');
    expect((await get(fake, BRANDS)).json).toMatchObject({ results: [{ default: true }] });
    fake.faults.answerReads(null);
    expect((await get(fake, USERS)).json).toMatchObject({ results: [{ username: 'akadmin' }] });
  });

  it('waits for an answerer that returns a promise, and then lets the directory answer', async () => {
    const fake = await start();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    fake.faults.answerReads(async () => {
      await gate;
      return undefined;
    });
    const reading = get(fake, USERS);
    await expect.poll(() => fake.readsInProgress).toBe(1);
    release();
    expect((await reading).json).toMatchObject({ results: [{ username: 'akadmin' }] });
    expect(fake.readsInProgress).toBe(0);
  });

  it('does not touch event POSTs', async () => {
    const fake = await start();
    fake.faults.answerReads(() => ({ status: 500, body: {} }));
    expect((await postEvent(fake, valid())).status).toBe(201);
  });
});

describe('maxConcurrentReads', () => {
  it('sees overlapping reads of users and brands, and not event POSTs', async () => {
    const fake = await start();
    fake.faults.latency(300);
    await Promise.all([
      ...Array.from({ length: 3 }, () => get(fake, `${USERS}?username=a`)),
      ...Array.from({ length: 2 }, () => get(fake, BRANDS)),
      ...Array.from({ length: 4 }, () => postEvent(fake, valid())),
    ]);
    expect(fake.maxConcurrentReads).toBe(5);
    expect(fake.maxConcurrent).toBe(4);
    fake.clear();
    expect(fake.maxConcurrentReads).toBe(0);
  });
});
