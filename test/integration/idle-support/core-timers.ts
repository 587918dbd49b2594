import { createHook } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A timer or immediate that is still pending, and the code that made it. */
export interface PendingTimer {
  type: string;
  /** The first frame outside Node's own code: where the timer was asked for. */
  madeAt: string;
  stack: string;
}

/**
 * Code of the core package: its build as the tests load it, which stack traces map back to its
 * sources.
 */
const CORE_CODE = [
  `${sep}packages${sep}core${sep}dist${sep}`,
  `${sep}packages${sep}core${sep}src${sep}`,
];
const TYPES = new Set(['Timeout', 'Immediate']);
/** This file: the hook's own frames are skipped. */
const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * Watches every timer and immediate this thread creates (unref'd ones too, which
 * `process.getActiveResourcesInfo()` does not list) and reports those still pending that the
 * core's own code asked for. A timer undici or Node sets for a socket starts in their code,
 * not the core's, and is not counted: it is the connection's, and ends with it.
 */
export function watchCoreTimers() {
  const pending = new Map<number, PendingTimer>();
  const all = new Map<number, PendingTimer>();
  const hook = createHook({
    init(asyncId, type) {
      if (!TYPES.has(type)) return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 40;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      const frames = stack.split('\n').slice(1);
      const madeAt =
        frames.find((frame) => !frame.includes('(node:') && !frame.includes(THIS_FILE)) ?? '';
      all.set(asyncId, { type, madeAt: madeAt.trim(), stack });
      if (CORE_CODE.some((path) => madeAt.includes(path)))
        pending.set(asyncId, { type, madeAt: madeAt.trim(), stack });
    },
    destroy(asyncId) {
      pending.delete(asyncId);
      all.delete(asyncId);
    },
  });
  hook.enable();
  return {
    /** The core's timers and immediates that have neither fired nor been cleared. */
    pending: (): PendingTimer[] => [...pending.values()],
    all: (): PendingTimer[] => [...all.values()],
    stop: () => hook.disable(),
  };
}

/**
 * Voluntary context switches of one thread of this process so far: each is a wake-up from a
 * wait (a timer, a message, a socket). Linux only.
 */
export function wakeUps(tid: string): number {
  const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
  const match = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status);
  return Number(match?.[1]);
}
