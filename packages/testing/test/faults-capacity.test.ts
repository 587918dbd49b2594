import { describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../src/index.js';
import { postEvent, start, valid } from './helpers.js';

/** Waits (polling the fake's own counters) until `check` holds; the fake runs in this process. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** POSTs an event carrying `mark`, and resolves with its status. */
const post = (fake: FakeAuthentik, mark: string) =>
  postEvent(fake, { ...valid(), context: { mark } }).then((answer) => answer);

describe('faults.capacity: a server of limited capacity', () => {
  it('serves `workers` at once, lets `queue` more wait in order, and answers 503 beyond that', async () => {
    const fake = await start();
    fake.faults.capacity({ workers: 2, serviceMs: 1500, queue: 1 });
    const first = post(fake, 'a');
    await until(() => fake.capacityStats.inService === 1);
    const second = post(fake, 'b');
    await until(() => fake.capacityStats.inService === 2);
    const third = post(fake, 'c');
    await until(() => fake.capacityStats.waiting === 1);
    // No worker free and the queue full: refused at once, while the others are still served.
    const refused = await post(fake, 'd');
    expect(refused.status).toBe(503);
    expect(refused.json).toEqual({
      detail: 'Service unavailable: every worker is busy and the queue is full',
    });
    expect(fake.capacityStats).toMatchObject({ inService: 2, waiting: 1, rejected: 1 });
    const statuses = (await Promise.all([first, second, third])).map((answer) => answer.status);
    expect(statuses).toEqual([201, 201, 201]);
    expect(fake.events.map((event) => event.context.mark)).toEqual(['a', 'b', 'c']);
    expect(fake.capacityStats).toMatchObject({
      inService: 0,
      waiting: 0,
      maxWaiting: 1,
      rejected: 1,
      served: 3,
      waited: 1,
    });
    // 'c' waited until a worker was free; the workers were busy for three service times.
    expect(fake.capacityStats.waitedMs).toBeGreaterThan(0);
    expect(fake.capacityStats.busyMs).toBeGreaterThanOrEqual(3 * 1500 - 30);
    expect(fake.maxConcurrent).toBeGreaterThanOrEqual(3);
  });

  it('serves the waiting requests in the order they came', async () => {
    const fake = await start({ capacity: { workers: 1, serviceMs: 300, queue: 3 } });
    const answers = [post(fake, '1')];
    for (const mark of ['2', '3', '4']) {
      await until(
        () => fake.capacityStats.inService + fake.capacityStats.waiting === answers.length,
      );
      answers.push(post(fake, mark));
    }
    await Promise.all(answers);
    expect(fake.events.map((event) => event.context.mark)).toEqual(['1', '2', '3', '4']);
    expect(fake.capacityStats.maxWaiting).toBe(3);
  });

  it('changes at run time: a request is served with the service time in force when a worker takes it', async () => {
    const fake = await start();
    fake.faults.capacity({ workers: 1, serviceMs: 700, queue: 5 });
    const t0 = performance.now();
    const slow = post(fake, 'slow').then(() => performance.now() - t0);
    await until(() => fake.capacityStats.inService === 1);
    fake.faults.capacity({ workers: 1, serviceMs: 0, queue: 5 });
    await post(fake, 'quick'); // waited for the worker, then served at once
    // Only lower bounds: a busy machine may delay answers, never hurry them.
    expect(await slow).toBeGreaterThanOrEqual(690);
    fake.faults.capacity({ workers: 1, serviceMs: 400, queue: 5 });
    const t1 = performance.now();
    await post(fake, 'slower');
    expect(performance.now() - t1).toBeGreaterThanOrEqual(390);
    expect(fake.capacityStats.served).toBe(3);
  });

  it('more workers at run time take the waiting requests at once', async () => {
    const fake = await start({ capacity: { workers: 1, serviceMs: 1500, queue: 2 } });
    const answers = [post(fake, 'a')];
    await until(() => fake.capacityStats.inService === 1);
    answers.push(post(fake, 'b'), post(fake, 'c'));
    await until(() => fake.capacityStats.waiting === 2);
    fake.faults.capacity({ workers: 3, serviceMs: 1500, queue: 2 });
    expect(fake.capacityStats).toMatchObject({ inService: 3, waiting: 0 });
    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([201, 201, 201]);
  });

  it('null turns it off and lets the waiting requests through; reset() does too', async () => {
    const fake = await start({ capacity: { workers: 1, serviceMs: 1500, queue: 1 } });
    const answers = [post(fake, 'a')];
    await until(() => fake.capacityStats.inService === 1);
    answers.push(post(fake, 'b'));
    await until(() => fake.capacityStats.waiting === 1);
    fake.faults.capacity(null);
    // Off: no worker limit, no 503, whatever comes.
    const more = await Promise.all([1, 2, 3].map((n) => post(fake, `x${n}`)));
    expect(more.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([201, 201]);
    expect(fake.capacityStats).toEqual({
      inService: 0,
      waiting: 0,
      maxWaiting: 0,
      rejected: 0,
      served: 0,
      waited: 0,
      waitedMs: 0,
      busyMs: 0,
    });
    fake.faults.capacity({ workers: 1, serviceMs: 0 });
    fake.faults.reset();
    expect(fake.faults).toMatchObject({ capacityGate: null });
  });

  it('clear() forgets its counters', async () => {
    const fake = await start({ capacity: { workers: 1, serviceMs: 0 } });
    await post(fake, 'a');
    expect(fake.capacityStats.served).toBe(1);
    fake.clear();
    expect(fake.capacityStats).toMatchObject({
      served: 0,
      rejected: 0,
      maxWaiting: 0,
      waited: 0,
      waitedMs: 0,
      busyMs: 0,
    });
  });

  it.each([
    [{ workers: 0, serviceMs: 5 }, 'workers must be an integer >= 1, got 0'],
    [{ workers: 1.5, serviceMs: 5 }, 'workers must be an integer >= 1, got 1.5'],
    [{ workers: Number.NaN, serviceMs: 5 }, 'workers must be an integer >= 1, got NaN'],
    [{ workers: 2, serviceMs: -1 }, 'serviceMs must be a number of ms >= 0, got -1'],
    [{ workers: 2, serviceMs: Number.NaN }, 'serviceMs must be a number of ms >= 0, got NaN'],
    [{ workers: 2, serviceMs: Number.POSITIVE_INFINITY }, 'serviceMs must be a number of ms'],
    [{ workers: 2, serviceMs: 5, queue: -1 }, 'queue must be an integer >= 0, got -1'],
    [{ workers: 2, serviceMs: 5, queue: 0.5 }, 'queue must be an integer >= 0, got 0.5'],
    [{ workers: '2', serviceMs: 5 }, 'workers must be an integer >= 1, got 2'],
  ])('refuses %o with a message that says what is wrong', async (options, message) => {
    const fake = await start();
    expect(() => fake.faults.capacity(options as never)).toThrow(RangeError);
    expect(() => fake.faults.capacity(options as never)).toThrow(message);
    expect(fake.faults).toMatchObject({ capacityGate: null });
    await expect(start({ capacity: options as never })).rejects.toThrow(message);
  });

  it('refuses what is not a setting at all', async () => {
    const fake = await start();
    expect(() => fake.faults.capacity(5 as never)).toThrow(TypeError);
    expect(() => fake.faults.capacity(undefined as never)).toThrow(
      'faults.capacity: expected { workers, serviceMs, queue? } or null to turn it off',
    );
  });
});
