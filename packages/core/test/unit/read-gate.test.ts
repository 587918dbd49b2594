import { describe, expect, it } from 'vitest';
import { ReadGate, ReadRefused } from '../../src/read-gate.js';

const never = () => new AbortController().signal;

describe('lookup concurrency: the read gate bounds reads running and waiting', () => {
  it('admits `slots` at once, queues `maxWaiting`, refuses the rest at once', async () => {
    const gate = new ReadGate(2, 1);
    const first = await gate.enter(never());
    const second = await gate.enter(never());
    let thirdAdmitted = false;
    const third = gate.enter(never()).then((release) => {
      thirdAdmitted = true;
      return release;
    });
    expect(gate.full).toBe(true);
    await expect(gate.enter(never())).rejects.toMatchObject({ reason: 'busy' });
    await expect(gate.enter(never())).rejects.toBeInstanceOf(ReadRefused);

    await Promise.resolve();
    expect(thirdAdmitted).toBe(false);
    first();
    first(); // twice is once: a slot is never given back two times
    (await third)();
    second();
    expect(gate.idle).toBe(true);
  });

  it('a waiter whose signal aborts leaves the line and gets no slot', async () => {
    const gate = new ReadGate(1, 5);
    const release = await gate.enter(never());
    const controller = new AbortController();
    const waiting = gate.enter(controller.signal);
    controller.abort(new Error('evicted'));
    await expect(waiting).rejects.toThrow('evicted');
    release();
    expect(gate.idle).toBe(true);
  });
});
