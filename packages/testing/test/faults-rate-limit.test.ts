import { describe, expect, it } from 'vitest';
import { postEvent, start, valid } from './helpers.js';

describe('faults.rateLimit', () => {
  it('holds requests beyond the budget instead of refusing them', async () => {
    const fake = await start();
    fake.faults.rateLimit(5);
    const t0 = performance.now();
    const done: number[] = [];
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () =>
        postEvent(fake, valid()).then((res) => {
          done.push(performance.now() - t0);
          return res.status;
        }),
      ),
    );
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(fake.events).toHaveLength(12);
    done.sort((a, b) => a - b);
    // 5 at once, 5 a second later, 2 two seconds later. Only lower bounds are checked: a busy
    // machine may delay answers, but the fake must never let more through than the budget.
    expect(done.filter((t) => t < 950)).toHaveLength(5);
    expect(done.filter((t) => t < 1950)).toHaveLength(10);
    expect(done[11]).toBeGreaterThanOrEqual(1950);
  });

  it('rateLimit(null) turns it off', async () => {
    const fake = await start();
    fake.faults.rateLimit(1);
    fake.faults.rateLimit(null);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => postEvent(fake, valid())));
    // With the limit of 1/s still on this would take 9 s.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(() => fake.faults.rateLimit(0)).toThrow(RangeError);
  });
});
