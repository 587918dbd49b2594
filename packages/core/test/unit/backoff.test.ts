import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../src/delivery/backoff.js';

const ALMOST_ONE = 1 - Number.EPSILON;

describe('fullJitterDelay', () => {
  it('is 0 when random gives 0, whatever the attempt', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      expect(fullJitterDelay(attempt, 500, 30_000, () => 0)).toBe(0);
    }
  });

  it('is just under the ceiling when random gives almost 1', () => {
    expect(fullJitterDelay(0, 500, 30_000, () => ALMOST_ONE)).toBe(499);
    expect(fullJitterDelay(1, 500, 30_000, () => ALMOST_ONE)).toBe(999);
  });

  it('doubles the ceiling with each attempt', () => {
    const ceilings = [0, 1, 2, 3, 4, 5].map(
      (attempt) => fullJitterDelay(attempt, 500, 1_000_000, () => 0.5) * 2,
    );
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16_000]);
  });

  it('caps the ceiling at maxDelayMs', () => {
    expect(fullJitterDelay(6, 500, 30_000, () => 0.5)).toBe(15_000); // 32 000 capped to 30 000
    expect(fullJitterDelay(7, 500, 30_000, () => ALMOST_ONE)).toBe(29_999);
    expect(fullJitterDelay(50, 500, 30_000, () => ALMOST_ONE)).toBe(29_999);
    expect(fullJitterDelay(5000, 500, 30_000, () => ALMOST_ONE)).toBe(29_999);
  });

  it('treats a negative attempt like the first', () => {
    expect(fullJitterDelay(-3, 500, 30_000, () => 0.5)).toBe(250);
  });

  it('stays within [0, ceiling) with the real Math.random', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = fullJitterDelay(attempt, 500, 30_000);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  it('is 0 when the minimum delay is 0', () => {
    expect(fullJitterDelay(3, 0, 30_000, () => ALMOST_ONE)).toBe(0);
  });
});
