import { describe, expect, it } from 'vitest';
import type { ConcurrencyLimit } from '../../src/delivery/adaptive-limit.js';
import { RequestSlots } from '../../src/delivery/request-slots.js';

/** A limit the test sets by hand, remembering what it was told. */
function limitOf(current: number) {
  const told: number[] = [];
  const limit: ConcurrencyLimit & { current: number; told: number[] } = {
    current,
    max: 32,
    told,
    acquired: (inUse) => told.push(inUse),
    answered: () => {},
    overloaded: () => {},
  };
  return limit;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('request slots: at most the limit in flight', () => {
  it('lets the limit in at once, queues the rest in order, and lets one in per release', async () => {
    const limit = limitOf(2);
    const slots = new RequestSlots(limit);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const all = [1, 2, 3, 4].map((n) => slots.acquire(signal).then(() => order.push(n)));
    await flush();
    expect(order).toEqual([1, 2]);
    expect(slots.inUse).toBe(2);
    expect(slots.waiting).toBe(2);
    slots.release();
    await flush();
    expect(order).toEqual([1, 2, 3]);
    slots.release();
    await Promise.all(all);
    expect(order).toEqual([1, 2, 3, 4]);
    expect(slots.inUse).toBe(2);
  });

  it('tells the limit it was reached, also when an attempt has to wait', async () => {
    const limit = limitOf(1);
    const slots = new RequestSlots(limit);
    const signal = new AbortController().signal;
    await slots.acquire(signal);
    const second = slots.acquire(signal);
    expect(limit.told).toEqual([1, 2]);
    slots.release();
    await second;
    expect(limit.told).toEqual([1, 2, 1]);
  });

  it('follows the limit: fewer in after it came down, more as soon as it grows', async () => {
    const limit = limitOf(3);
    const slots = new RequestSlots(limit);
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) await slots.acquire(signal);
    limit.current = 1;
    let waiting = 0;
    const more = [0, 1, 2].map(() => slots.acquire(signal).then(() => waiting--));
    waiting = 3;
    slots.release();
    slots.release();
    await flush();
    expect(slots.inUse).toBe(1); // two released, none let in: one is the limit now
    expect(waiting).toBe(3);
    limit.current = 4;
    slots.grant();
    await Promise.all(more);
    expect(slots.inUse).toBe(4);
  });

  it('an attempt aborted while it waits leaves the queue and rejects with the reason', async () => {
    const slots = new RequestSlots(limitOf(1));
    await slots.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
    expect(slots.waiting).toBe(0);
    slots.release();
    expect(slots.inUse).toBe(0);
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    await expect(slots.acquire(aborted.signal)).rejects.toThrow('already');
    expect(slots.inUse).toBe(0);
  });
});
