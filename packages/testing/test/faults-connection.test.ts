import { describe, expect, it } from 'vitest';
import { EVENTS, get, postEvent, start, valid } from './helpers.js';

/** The error code under fetch's "fetch failed", e.g. ECONNRESET or ECONNREFUSED. */
async function failure(promise: Promise<unknown>): Promise<string> {
  const error = (await promise.then(
    () => expect.fail('expected the request to fail'),
    (e: unknown) => e,
  )) as { cause?: { code?: string } };
  return error.cause?.code ?? String(error);
}

describe('faults.resetNext', () => {
  it('resets before the body: nothing stored', async () => {
    const fake = await start();
    fake.faults.resetNext(1);
    expect(await failure(postEvent(fake, valid()))).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(fake.events).toHaveLength(0);
    expect(fake.requests[0]?.status).toBe(0);
    expect((await postEvent(fake, valid())).status).toBe(201);
  });

  it('resets after storing: the client retries and makes a duplicate', async () => {
    const fake = await start();
    fake.faults.resetNext(1, { afterBody: true });
    const event = valid({ context: { event_id: 'e1' } });
    await failure(postEvent(fake, event));
    expect(fake.events).toHaveLength(1);
    expect((await postEvent(fake, event)).status).toBe(201);
    expect(fake.events.map((e) => e.context.event_id)).toEqual(['e1', 'e1']);
  });

  it('counts down n', async () => {
    const fake = await start();
    fake.faults.resetNext(2);
    await failure(postEvent(fake, valid()));
    await failure(postEvent(fake, valid()));
    expect((await postEvent(fake, valid())).status).toBe(201);
  });
});

describe('faults.latency', () => {
  it('delays every response, failures and reads included; 0 turns it off', async () => {
    const fake = await start();
    fake.faults.latency(400);
    let t = performance.now();
    expect((await postEvent(fake, valid())).status).toBe(201);
    expect(performance.now() - t).toBeGreaterThanOrEqual(390);
    fake.faults.failNext(1, 503);
    t = performance.now();
    await postEvent(fake, valid());
    expect(performance.now() - t).toBeGreaterThanOrEqual(390);
    t = performance.now();
    await get(fake, EVENTS);
    expect(performance.now() - t).toBeGreaterThanOrEqual(390);
    fake.faults.latency(0);
    t = performance.now();
    await postEvent(fake, valid());
    expect(performance.now() - t).toBeLessThan(300);
  });

  it('Infinity (or past the 32-bit timer limit) holds every response until close(), without a warning', async () => {
    const fake = await start();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      fake.faults.latency(Number.POSITIVE_INFINITY);
      const held = postEvent(fake, valid()).then(
        () => 'answered',
        () => 'failed',
      );
      fake.faults.latency(2 ** 31);
      const alsoHeld = postEvent(fake, valid()).then(
        () => 'answered',
        () => 'failed',
      );
      // Node fires a timer past its limit after 1 ms: both would have been answered by now.
      const soon = new Promise((resolve) => setTimeout(() => resolve('held'), 300));
      expect(await Promise.race([held, soon])).toBe('held');
      expect(await Promise.race([alsoHeld, soon])).toBe('held');
      expect(fake.events).toHaveLength(0);
      await fake.close();
      expect(await held).toBe('failed');
      expect(await alsoHeld).toBe('failed');
      expect(warnings.filter((w) => w.startsWith('Timeout'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('lets maxConcurrent see requests overlapping', async () => {
    const fake = await start();
    fake.faults.latency(300);
    await Promise.all(Array.from({ length: 6 }, () => postEvent(fake, valid())));
    expect(fake.maxConcurrent).toBe(6);
    await postEvent(fake, valid());
    expect(fake.maxConcurrent).toBe(6);
  });
});

describe('faults.down / up', () => {
  it('refuses connections while down and comes back on the same URL', async () => {
    const fake = await start();
    const url = fake.url;
    expect((await postEvent(fake, valid())).status).toBe(201);
    await fake.faults.down();
    expect(await failure(postEvent(fake, valid()))).toBe('ECONNREFUSED');
    await fake.faults.up();
    expect(fake.url).toBe(url);
    expect((await postEvent(fake, valid())).status).toBe(201);
    expect(fake.events).toHaveLength(2);
  });

  it('destroys requests in progress, which store nothing', async () => {
    const fake = await start();
    fake.faults.latency(300);
    const pending = postEvent(fake, valid());
    await new Promise((r) => setTimeout(r, 50));
    await fake.faults.down();
    await failure(pending);
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.events).toHaveLength(0);
  });

  it('down and up are idempotent', async () => {
    const fake = await start();
    await fake.faults.up();
    await fake.faults.down();
    await fake.faults.down();
    await fake.faults.up();
    await fake.faults.up();
    expect((await postEvent(fake, valid())).status).toBe(201);
  });
});
