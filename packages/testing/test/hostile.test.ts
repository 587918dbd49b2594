import { describe, expect, it } from 'vitest';
import { EVENTS, postEvent, start, valid } from './helpers.js';

function post(url: string, token: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}${EVENTS}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(valid()),
    ...init,
  });
}

describe('faults.hostile', () => {
  it('huge-body: 201 with a body far larger than any event', async () => {
    const fake = await start();
    fake.faults.hostile('huge-body');
    const res = await post(fake.url, fake.token);
    expect(res.status).toBe(201);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 20 * 1024 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      read += value.length;
    }
    await reader.cancel();
    expect(read).toBeGreaterThanOrEqual(20 * 1024 * 1024);
    expect(fake.events).toHaveLength(0);
  });

  it('invalid-json: 201 with a JSON content type and garbage', async () => {
    const fake = await start();
    fake.faults.hostile('invalid-json');
    const res = await post(fake.url, fake.token);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    await expect(res.json()).rejects.toThrow();
  });

  it('slow-loris: headers, then a byte a second, never the end', async () => {
    const fake = await start();
    fake.faults.hostile('slow-loris');
    const controller = new AbortController();
    const res = await post(fake.url, fake.token, { signal: controller.signal });
    expect(res.status).toBe(201);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const t0 = performance.now();
    let bytes = 0;
    setTimeout(() => controller.abort(), 2300);
    await (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the body ended');
        bytes += value.length;
      }
    })().catch((error: Error) => expect(error.name).toBe('AbortError'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2200);
    expect(bytes).toBeGreaterThanOrEqual(1);
    expect(bytes).toBeLessThanOrEqual(3);
  });

  it('redirect: 307 to another host, which a client must not follow with its token', async () => {
    const fake = await start();
    fake.faults.hostile('redirect');
    const res = await post(fake.url, fake.token, { redirect: 'manual' });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`http://other-host.invalid${EVENTS}`);
  });

  it('hang: never answers', async () => {
    const fake = await start();
    fake.faults.hostile('hang');
    const error = await post(fake.url, fake.token, { signal: AbortSignal.timeout(300) }).catch(
      (e: Error) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(fake.requests[0]?.status).toBe(0);
    expect(fake.events).toHaveLength(0);
  });

  it('hostile(null) restores normal answers; unknown modes are refused', async () => {
    const fake = await start();
    fake.faults.hostile('redirect');
    fake.faults.hostile(null);
    expect((await postEvent(fake, valid())).status).toBe(201);
    // @ts-expect-error: not a mode
    expect(() => fake.faults.hostile('explode')).toThrow(RangeError);
  });
});
