import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { envString } from './report.mjs';

let pinnable;

/** Whether processes can be pinned here (taskset, two CPUs or more, BENCH_PIN not 0). */
export function canPin() {
  if (pinnable === undefined) {
    pinnable = false;
    if (envString('BENCH_PIN', '1') !== '0' && os.availableParallelism() >= 2) {
      try {
        execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
        pinnable = true;
      } catch {
        // no taskset: not pinned
      }
    }
  }
  return pinnable;
}

/**
 * Pins a process (all its threads) to CPUs, e.g. '0' or '1'. On a small machine this keeps the
 * measured app on a core of its own, so the scheduler's placement does not decide the figures.
 * Returns false where it cannot (no taskset, one CPU, or BENCH_PIN=0).
 */
export function pin(pid, cpus) {
  if (!canPin()) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `node script ...args` and collects its stdout lines. Protocol: a line `READY <x>`
 * says it is up, a line `RESULT <json>` carries its answer; stderr passes through.
 */
export function startNode(script, args = [], { env, execArgv = [], cpus } = {}) {
  const child = spawn(process.execPath, [...execArgv, script, ...args], {
    env: env ? { ...process.env, ...env } : process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (cpus) pin(child.pid, cpus);
  const lines = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) waiter(line);
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const waitFor = (prefix, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const found = lines.find((line) => line.startsWith(prefix));
      if (found) return resolve(found.slice(prefix.length).trim());
      const timer = setTimeout(
        () => reject(new Error(`${script}: no "${prefix}" line within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const waiter = (line) => {
        if (!line.startsWith(prefix)) return;
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(waiter), 1);
        resolve(line.slice(prefix.length).trim());
      };
      waiters.push(waiter);
      exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} before "${prefix}"`));
      });
    });

  return {
    child,
    pid: child.pid,
    lines,
    exited,
    ready: () => waitFor('READY'),
    waitFor,
    result: async (timeoutMs) => JSON.parse(await waitFor('RESULT', timeoutMs)),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs a script to its end and returns the JSON of its `RESULT` line. */
export async function runNode(script, args = [], options = {}) {
  const run = startNode(script, args, options);
  try {
    const result = await run.result(options.timeoutMs ?? 600_000);
    await run.exited;
    return result;
  } catch (error) {
    await run.stop('SIGKILL');
    throw error;
  }
}
