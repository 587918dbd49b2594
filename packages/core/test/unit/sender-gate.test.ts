import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SenderGate, type SenderGateOptions } from '../../src/delivery/sender-gate.js';

interface Tracked<T> {
  settled: boolean;
  value: T | undefined;
  error: unknown;
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const state: Tracked<T> = { settled: false, value: undefined, error: undefined };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

function gate(options: Partial<SenderGateOptions> = {}): SenderGate {
  return new SenderGate({
    failureThreshold: 3,
    minDelayMs: 1000,
    maxDelayMs: 8000,
    random: () => 0,
    ...options,
  });
}

function failTimes(g: SenderGate, times: number): void {
  for (let i = 0; i < times; i++) g.failed(false);
}

const signal = () => new AbortController().signal;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('SenderGate: closed circuit', () => {
  it('lets attempts through at once, not as probes', async () => {
    const g = gate();
    await expect(g.acquire(signal())).resolves.toBe(false);
    expect(g.isOpen).toBe(false);
    expect(g.isPaused).toBe(false);
  });

  it('stays closed below the threshold', async () => {
    const g = gate();
    failTimes(g, 2);
    expect(g.isOpen).toBe(false);
    await expect(g.acquire(signal())).resolves.toBe(false);
  });

  it('counts only consecutive failures', async () => {
    const g = gate();
    failTimes(g, 2);
    g.succeeded(false);
    failTimes(g, 2);
    expect(g.isOpen).toBe(false);
    await expect(g.acquire(signal())).resolves.toBe(false);
  });
});

describe('SenderGate: pause', () => {
  it('blocks acquire until the pause ends', async () => {
    const g = gate();
    g.pause(5000);
    expect(g.isPaused).toBe(true);
    const a = track(g.acquire(signal()));
    const b = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(4999);
    expect(a.settled).toBe(false);
    expect(b.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(a).toEqual({ settled: true, value: false, error: undefined });
    expect(b).toEqual({ settled: true, value: false, error: undefined });
    expect(g.isPaused).toBe(false);
  });

  it('a longer pause extends, a shorter one does not shorten', async () => {
    const g = gate();
    g.pause(3000);
    g.pause(1000);
    const a = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(2999);
    expect(a.settled).toBe(false);
    g.pause(2000); // now ends at 4999 ms from the start
    await vi.advanceTimersByTimeAsync(1);
    expect(a.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1999);
    expect(a.settled).toBe(true);
    expect(a.value).toBe(false);
  });

  it('an attempt after the pause goes straight through', async () => {
    const g = gate();
    g.pause(1000);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(g.acquire(signal())).resolves.toBe(false);
  });
});

describe('SenderGate: open circuit', () => {
  it('opens after the threshold of consecutive failures', () => {
    const g = gate();
    failTimes(g, 3);
    expect(g.isOpen).toBe(true);
  });

  it('waits before the first probe, then lets exactly one through', async () => {
    const g = gate();
    failTimes(g, 3); // first probe delay: ceiling 1000, half-jitter with random 0 -> 500 ms
    const attempts = [0, 1, 2, 3].map(() => track(g.acquire(signal())));
    await vi.advanceTimersByTimeAsync(499);
    expect(attempts.filter((a) => a.settled)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const settled = attempts.filter((a) => a.settled);
    expect(settled).toHaveLength(1);
    expect(settled[0]?.value).toBe(true);
    // However long the probe takes, nobody else gets through.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts.filter((a) => a.settled)).toHaveLength(1);
  });

  it('waits a growing delay between failed probes, up to the cap', async () => {
    const g = gate();
    failTimes(g, 3);
    const waits: number[] = [];
    for (let probe = 0; probe < 6; probe++) {
      const started = Date.now();
      const a = track(g.acquire(signal()));
      while (!a.settled) await vi.advanceTimersByTimeAsync(10);
      expect(a.value).toBe(true);
      waits.push(Date.now() - started);
      g.failed(true);
    }
    // Ceilings 1000, 2000, 4000, 8000, 8000 (cap), 8000; half of each with random 0.
    expect(waits).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
  });

  it('uses the upper half of the ceiling with random near 1', async () => {
    const g = gate({ random: () => 0.999 });
    failTimes(g, 3);
    const a = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(998);
    expect(a.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.value).toBe(true); // floor(500 + 499.5) = 999 ms
  });

  it('hands the probe to the next waiter after a failed probe, and closes on success', async () => {
    const g = gate();
    failTimes(g, 3);
    const a = track(g.acquire(signal()));
    const b = track(g.acquire(signal()));
    const c = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(500);
    expect([a.value, b.settled, c.settled]).toEqual([true, false, false]);

    g.failed(true); // next probe in 1000 ms
    await vi.advanceTimersByTimeAsync(999);
    expect([b.settled, c.settled]).toEqual([false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect([b.settled, c.settled]).toEqual([true, false]);
    expect(b.value).toBe(true);

    g.succeeded(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(g.isOpen).toBe(false);
    expect(c).toEqual({ settled: true, value: false, error: undefined });
    await expect(g.acquire(signal())).resolves.toBe(false);
  });

  it('frees the probe slot when the probe is released (aborted attempt)', async () => {
    const g = gate();
    failTimes(g, 3);
    const a = track(g.acquire(signal()));
    const b = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(500);
    expect([a.value, b.settled]).toEqual([true, false]);
    g.released(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(b).toEqual({ settled: true, value: true, error: undefined });
  });

  it('resets the growing delay after a success', async () => {
    const g = gate();
    failTimes(g, 3);
    for (let i = 0; i < 3; i++) {
      const a = track(g.acquire(signal()));
      while (!a.settled) await vi.advanceTimersByTimeAsync(10);
      g.failed(true);
    }
    const a = track(g.acquire(signal()));
    while (!a.settled) await vi.advanceTimersByTimeAsync(10);
    g.succeeded(true);
    failTimes(g, 3);
    const started = Date.now();
    const next = track(g.acquire(signal()));
    while (!next.settled) await vi.advanceTimersByTimeAsync(10);
    expect(Date.now() - started).toBe(500);
  });

  it('a pause also holds back the probe', async () => {
    const g = gate();
    failTimes(g, 3);
    g.pause(10_000);
    const a = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(9999);
    expect(a.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(a.value).toBe(true);
  });
});

describe('SenderGate: abort', () => {
  it('rejects at once with an already aborted signal', async () => {
    const g = gate();
    const controller = new AbortController();
    const reason = new Error('closing');
    controller.abort(reason);
    await expect(g.acquire(controller.signal)).rejects.toBe(reason);
  });

  it('rejects a waiter during a pause when its signal aborts', async () => {
    const g = gate();
    g.pause(60_000);
    const controller = new AbortController();
    const a = track(g.acquire(controller.signal));
    await vi.advanceTimersByTimeAsync(100);
    const reason = new Error('closing');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(a).toEqual({ settled: true, value: undefined, error: reason });
  });

  it('rejects a waiter behind the probe when its signal aborts', async () => {
    const g = gate();
    failTimes(g, 3);
    const probe = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(500);
    expect(probe.value).toBe(true);
    const controller = new AbortController();
    const waiting = track(g.acquire(controller.signal));
    await vi.advanceTimersByTimeAsync(100);
    expect(waiting.settled).toBe(false);
    const reason = new Error('closing');
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting).toEqual({ settled: true, value: undefined, error: reason });
  });

  it('rejects a waiter for the next probe time when its signal aborts', async () => {
    const g = gate();
    failTimes(g, 3);
    const controller = new AbortController();
    const a = track(g.acquire(controller.signal));
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('closing'));
    await vi.advanceTimersByTimeAsync(0);
    expect(a.settled).toBe(true);
    expect((a.error as Error).message).toBe('closing');
    // The aborted waiter did not take the probe slot.
    const b = track(g.acquire(signal()));
    await vi.advanceTimersByTimeAsync(400);
    expect(b.value).toBe(true);
  });
});
