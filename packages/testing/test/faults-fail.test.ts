import { describe, expect, it } from 'vitest';
import { EVENTS, get, postEvent, start, valid } from './helpers.js';

describe('faults.failNext', () => {
  it('answers the next n event POSTs with the status, storing nothing', async () => {
    const fake = await start();
    fake.faults.failNext(2, 503);
    expect((await postEvent(fake, valid())).status).toBe(503);
    expect((await postEvent(fake, valid())).status).toBe(503);
    expect(fake.events).toHaveLength(0);
    expect((await postEvent(fake, valid())).status).toBe(201);
    expect(fake.events).toHaveLength(1);
  });

  it('sends Retry-After when given, in seconds or as an HTTP date', async () => {
    const fake = await start();
    fake.faults.failNext(1, 429, { retryAfter: 3 });
    const seconds = await postEvent(fake, valid());
    expect(seconds.status).toBe(429);
    expect(seconds.headers.get('retry-after')).toBe('3');
    const date = 'Wed, 21 Oct 2037 07:28:00 GMT';
    fake.faults.failNext(1, 503, { retryAfter: date });
    expect((await postEvent(fake, valid())).headers.get('retry-after')).toBe(date);
    fake.faults.failNext(1, 502);
    expect((await postEvent(fake, valid())).headers.get('retry-after')).toBeNull();
  });

  it('sends the given body, HTML unless it looks like JSON', async () => {
    const fake = await start();
    fake.faults.failNext(1, 502, { body: '<html>Bad Gateway</html>' });
    const html = await postEvent(fake, valid());
    expect(html.text).toBe('<html>Bad Gateway</html>');
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    fake.faults.failNext(1, 400, { body: '{"detail":"denied","code":"denied_license"}' });
    const json = await postEvent(fake, valid());
    expect(json.json).toEqual({ detail: 'denied', code: 'denied_license' });
  });

  it('comes before authentication, like a proxy in front', async () => {
    const fake = await start();
    fake.faults.failNext(1, 504);
    expect((await postEvent(fake, valid(), { Authorization: 'Bearer wrong' })).status).toBe(504);
  });

  it('counts event POSTs only, and failNext(0) cancels', async () => {
    const fake = await start();
    fake.faults.failNext(1, 500);
    expect((await get(fake, EVENTS)).status).toBe(200);
    fake.faults.failNext(0);
    expect((await postEvent(fake, valid())).status).toBe(201);
  });

  it('refuses nonsense arguments', async () => {
    const fake = await start();
    expect(() => fake.faults.failNext(-1)).toThrow(RangeError);
    expect(() => fake.faults.failNext(1, 99)).toThrow(/status/);
  });
});

describe('faults.failRate', () => {
  it('fails about that fraction, reproducibly with a seed', async () => {
    const outcomes = async () => {
      const fake = await start({ seed: 42 });
      fake.faults.failRate(0.5, 503);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await postEvent(fake, valid())).status);
      expect(fake.events).toHaveLength(statuses.filter((s) => s === 201).length);
      return statuses;
    };
    const first = await outcomes();
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    expect(new Set(first)).toEqual(new Set([201, 503]));
    expect(await outcomes()).toEqual(first);
  });

  it('failRate(1) fails all, failRate(0) turns it off', async () => {
    const fake = await start();
    fake.faults.failRate(1, 502);
    expect((await postEvent(fake, valid())).status).toBe(502);
    fake.faults.failRate(0);
    for (let i = 0; i < 20; i++) expect((await postEvent(fake, valid())).status).toBe(201);
    expect(() => fake.faults.failRate(1.5)).toThrow(RangeError);
  });
});

describe('faults.failWhen', () => {
  it('answers matching bodies with the status: a poison event', async () => {
    const fake = await start();
    fake.faults.failWhen((body) => (body?.context?.poison ? 500 : undefined));
    expect((await postEvent(fake, valid({ context: { poison: true } }))).status).toBe(500);
    expect((await postEvent(fake, valid({ context: { poison: true } }))).status).toBe(500);
    expect((await postEvent(fake, valid())).status).toBe(201);
    expect(fake.events).toHaveLength(1);
    fake.faults.failWhen(null);
    expect((await postEvent(fake, valid({ context: { poison: true } }))).status).toBe(201);
  });

  it('gets the raw text when the body is not JSON', async () => {
    const fake = await start();
    const seen: unknown[] = [];
    fake.faults.failWhen((body) => {
      seen.push(body);
      return undefined;
    });
    await postEvent(fake, 'not json');
    expect(seen).toEqual(['not json']);
  });

  it('combines with failNext, which goes first', async () => {
    const fake = await start();
    fake.faults.failNext(1, 503);
    fake.faults.failWhen(() => 429);
    expect((await postEvent(fake, valid())).status).toBe(503);
    expect((await postEvent(fake, valid())).status).toBe(429);
  });
});

describe('faults.reset', () => {
  it('turns every fault off', async () => {
    const fake = await start();
    fake.faults.failNext(5, 503);
    fake.faults.failRate(1, 502);
    fake.faults.failWhen(() => 500);
    fake.faults.resetNext(5);
    fake.faults.latency(1000);
    fake.faults.rateLimit(1);
    fake.faults.hostile('hang');
    fake.faults.reset();
    for (let i = 0; i < 3; i++) expect((await postEvent(fake, valid())).status).toBe(201);
  });
});
