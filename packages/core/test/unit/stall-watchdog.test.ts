import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeWait, type SenderWaitState } from '../../src/delivery/describe-wait.js';
import { StallWatchdog } from '../../src/delivery/stall-watchdog.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});

afterEach(() => {
  vi.useRealTimers();
});

/**
 * A watchdog on fake timers with hand-set counters. `queue(n)` is what the sender does when
 * events are queued (sets the count and starts the watchdog); `after(ms)` lets time pass.
 */
function watched(stallAfterMs = 30_000) {
  const state = { waiting: 0, settled: 0 };
  const reports: string[] = [];
  let recoveries = 0;
  const watchdog = new StallWatchdog({
    stallAfterMs,
    waiting: () => state.waiting,
    settled: () => state.settled,
    describe: () => 'the reason',
    stalled: (message) => reports.push(message),
    recovered: () => recoveries++,
  });
  const after = (ms: number) => vi.advanceTimersByTime(ms);
  const queue = (waiting: number) => {
    state.waiting = waiting;
    watchdog.start();
  };
  return { state, reports, recoveries: () => recoveries, after, queue, watchdog };
}

describe('silent stalls: a sender that stops delivering while events wait is reported once per episode', () => {
  it('reports once when nothing settles for stallAfterMs while events wait, saying why', () => {
    const w = watched();
    w.queue(120);
    w.after(29_000);
    expect(w.reports).toEqual([]);
    w.after(1_000);
    expect(w.reports).toEqual([
      'delivery stalled: no event delivered (or dropped) for 30 s while 120 wait; the reason',
    ]);
    // The same stall, however long, is one report.
    for (let i = 0; i < 100; i++) w.after(1_000);
    expect(w.reports).toHaveLength(1);
  });

  it('does not report while events keep settling, however slowly', () => {
    const w = watched();
    w.queue(10_000);
    for (let i = 0; i < 20; i++) {
      w.after(20_000);
      w.state.settled++;
    }
    expect(w.reports).toEqual([]);
  });

  it('does not report an idle client, and stops its timer while nothing waits', () => {
    const w = watched();
    w.queue(3);
    w.after(5_000);
    w.state.waiting = 0;
    w.state.settled = 3;
    w.after(1_000);
    expect(vi.getTimerCount()).toBe(0);
    w.after(120_000);
    expect(w.reports).toEqual([]);
  });

  it('ends the episode at the next settled event, and reports a later stall again', () => {
    const w = watched();
    w.queue(5);
    w.after(31_000);
    expect(w.reports).toHaveLength(1);
    w.state.settled++;
    w.after(1_000);
    expect(w.recoveries()).toBe(1);
    w.after(29_000);
    expect(w.reports).toHaveLength(1);
    w.after(2_000);
    expect(w.reports).toHaveLength(2);
  });

  it('counts the silence from when events began to wait, not from the last delivery long ago', () => {
    const w = watched();
    w.queue(1);
    w.state.waiting = 0;
    w.state.settled = 1;
    w.after(1_000);
    w.after(600_000); // idle for ten minutes
    w.queue(1);
    w.after(29_000);
    expect(w.reports).toEqual([]);
    w.after(1_000);
    expect(w.reports).toHaveLength(1);
  });
});

const idleGate = {
  pausedUntil: 0,
  open: false,
  consecutiveFailures: 0,
  probing: false,
  nextProbeAt: 0,
};
const noTraffic = {
  outstanding: 0,
  oldestSentAt: undefined,
  lastAnswer: undefined,
  lastFailure: undefined,
  inWorker: true,
};
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const iso = (ms: number) => new Date(ms).toISOString();

function state(overrides: Partial<SenderWaitState>): SenderWaitState {
  return { gate: idleGate, transport: noTraffic, queued: 10, holding: 4, lanes: 4, ...overrides };
}

describe('silent stalls: the report names what the sender is waiting for', () => {
  it('a Retry-After pause, until when, and what authentik last answered', () => {
    const text = describeWait(
      NOW,
      state({
        gate: { ...idleGate, pausedUntil: NOW + 90_000 },
        transport: { ...noTraffic, lastAnswer: { at: NOW - 2000, status: 429 } },
      }),
    );
    expect(text).toBe(
      `the sender is waiting for a Retry-After pause until ${iso(NOW + 90_000)}; authentik last answered at ${iso(NOW - 2000)} (HTTP 429)`,
    );
  });

  it("the open circuit's next probe, and the last failure", () => {
    const text = describeWait(
      NOW,
      state({
        gate: { ...idleGate, open: true, consecutiveFailures: 9, nextProbeAt: NOW + 4000 },
        transport: {
          ...noTraffic,
          lastFailure: { at: NOW - 1000, message: 'ECONNREFUSED: connect ECONNREFUSED' },
        },
      }),
    );
    expect(text).toContain(
      `the open circuit's next probe at ${iso(NOW + 4000)} (9 failed attempts in a row)`,
    );
    expect(text).toContain('authentik has not answered yet');
    expect(text).toContain(`ended at ${iso(NOW - 1000)}: ECONNREFUSED: connect ECONNREFUSED`);
  });

  it('requests outstanding in the delivery worker, since when', () => {
    const text = describeWait(
      NOW,
      state({ transport: { ...noTraffic, outstanding: 4, oldestSentAt: NOW - 45_000 } }),
    );
    expect(text).toContain(
      `4 requests outstanding in the delivery worker (the oldest since ${iso(NOW - 45_000)})`,
    );
  });

  it('queued events with no sender lane running (a lost wake-up)', () => {
    const text = describeWait(NOW, state({ queued: 7, holding: 0, lanes: 0 }));
    expect(text).toContain('nothing: 7 events are queued and no sender lane runs');
  });

  it('events in their own retry backoff when nothing else holds them', () => {
    const text = describeWait(NOW, state({ holding: 3 }));
    expect(text).toContain('3 events in their retry backoff');
  });
});
