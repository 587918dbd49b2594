// Real timers on purpose: the warnings pinned here are Node's own, which fake timers would hide.
// Node.js 24 warns about a negative or NaN setTimeout delay where 20 and 22 are silent, and
// every version warns past 2^31-1 ms; the suite runs on each (npm run test:node-versions).
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../src/delivery/sleep.js';
import { MAX_TIMER_MS, setLongTimeout } from '../../src/long-timer.js';

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
process.on('warning', onWarning);
afterEach(() => {
  warnings.length = 0;
});

/** Node emits a warning on a later tick; a short real wait lets any arrive. */
function settle(ms = 30): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function timerWarnings(): string[] {
  return warnings.filter((w) => w.name.startsWith('Timeout')).map((w) => `${w.name}: ${w.message}`);
}

describe('setLongTimeout', () => {
  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['zero', 0],
  ])('runs a %s delay at once, without a process warning', async (_, ms) => {
    let ran = false;
    setLongTimeout(
      () => {
        ran = true;
      },
      ms,
      true,
    );
    await settle();
    expect(ran).toBe(true);
    expect(timerWarnings()).toEqual([]);
  });

  it.each([
    ['past the 32-bit limit', MAX_TIMER_MS + 1],
    ['far past it', 1e15],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('waits for a delay %s instead of firing after 1 ms, without a warning', async (_, ms) => {
    let ran = false;
    const cancel = setLongTimeout(
      () => {
        ran = true;
      },
      ms,
      true,
    );
    await settle();
    cancel();
    expect(ran).toBe(false);
    expect(timerWarnings()).toEqual([]);
  });

  it('sleep() wakes at once for a negative or NaN time, silently', async () => {
    const started = Date.now();
    await sleep(-5);
    await sleep(Number.NaN);
    expect(Date.now() - started).toBeLessThan(1000);
    await settle();
    expect(timerWarnings()).toEqual([]);
  });

  it('the warning it avoids is real on this Node.js for a delay past the limit', async () => {
    // A check that the listener sees Node's timer warnings at all, so the tests above can fail.
    clearTimeout(setTimeout(() => undefined, MAX_TIMER_MS + 1));
    await settle();
    expect(timerWarnings()).toEqual([
      expect.stringMatching(/^TimeoutOverflowWarning: 2147483648 does not fit/),
    ]);
  });
});
