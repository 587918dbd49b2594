// What a client that has nothing to do costs its process. Each variant runs in a process of its
// own, all of them at once, each forked with an IPC channel that keeps it alive: one without a
// client (the baseline), and one per delivery mode with a client that delivered one event to
// the test double (in another process) and then has nothing to do. Two phases per round: the
// first seconds after the event (the settling: the connection's keep-alive, V8's collection of
// what start-up left behind), then the idle process. Figures are the CPU time of each process
// (process.cpuUsage(), every thread) and its wake-ups (context switches of all its threads,
// from /proc), next to the baseline of the same round; medians over rounds.
//
//   node bench/idle-cost.mjs   (BENCH_ROUNDS, BENCH_IDLE_SETTLE_SECONDS, BENCH_IDLE_SECONDS,
//                               BENCH_IDLE_VARIANTS)
import { fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFake } from './lib/fake.mjs';
import { envNumber, envString, printTable, writeResult } from './lib/report.mjs';
import { formatNumber, formatRatio, median } from './lib/stats.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const SETTLE_SECONDS = envNumber('BENCH_IDLE_SETTLE_SECONDS', 20);
const IDLE_SECONDS = envNumber('BENCH_IDLE_SECONDS', 10);
const VARIANTS = envString('BENCH_IDLE_VARIANTS', 'none,background,in-process').split(',');
const CHILD = fileURLToPath(new URL('./lib/idle-process.mjs', import.meta.url));
const LABELS = {
  none: 'no client (baseline)',
  background: "client, delivery: 'background' (default)",
  worker: "client, delivery: 'worker'",
  'in-process': "client, delivery: 'in-process'",
};

/** Context switches of every thread of a process so far: each is a wake-up (Linux only). */
function wakeUps(pid) {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      for (const match of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) {
        total += Number(match[1]);
      }
    }
  } catch {
    return Number.NaN;
  }
  return total;
}

function rssMiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function startChild(variant, fake) {
  const child = fork(CHILD, [variant, fake.url, fake.token], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`${variant} exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  const ask = (command) => {
    const answer = next();
    child.send(command);
    return answer;
  };
  return { variant, child, started: next(), ask };
}

/** One phase: CPU and wake-ups of every child from now until `seconds` have passed. */
async function phase(children, seconds) {
  const wakeStart = children.map(({ child }) => wakeUps(child.pid));
  await Promise.all(children.map(({ ask }) => ask('mark')));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const reports = await Promise.all(children.map(({ ask }) => ask('report')));
  return children.map(({ variant, child }, index) => ({
    variant,
    cpuMs: reports[index].cpuMs,
    wakeUps: wakeUps(child.pid) - wakeStart[index],
    resources: reports[index].resources,
    rssMiB: rssMiB(child.pid),
  }));
}

const fake = await startFake();
const runs = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? VARIANTS : [...VARIANTS].reverse();
    const children = order.map((variant) => startChild(variant, fake));
    await Promise.all(children.map(({ started }) => started));
    const settling = await phase(children, SETTLE_SECONDS);
    const idle = await phase(children, IDLE_SECONDS);
    for (const [index, { variant }] of children.entries()) {
      runs.push({ round, variant, settling: settling[index], idle: idle[index] });
    }
    await Promise.all(children.map(({ ask, child }) => ask('exit').catch(() => child.kill())));
    const line = (key) =>
      children
        .map(({ variant }, index) => {
          const run = key === 'settling' ? settling[index] : idle[index];
          return `${variant} ${run.cpuMs.toFixed(1)} ms/${run.wakeUps}`;
        })
        .join(', ');
    console.log(`  round ${round}: settling ${line('settling')}; idle ${line('idle')}`);
  }
} finally {
  await fake.close();
}

const PER = 10 / IDLE_SECONDS;
/** Per variant, medians over rounds of its figures and of its differences from the baseline. */
const rows = VARIANTS.map((variant) => {
  const mine = runs.filter((run) => run.variant === variant);
  const base = (run, key, field) =>
    runs.find((other) => other.round === run.round && other.variant === 'none')?.[key][field];
  const diff = (key, field, scale = 1) =>
    median(mine.map((run) => (run[key][field] - base(run, key, field)) * scale));
  return {
    variant,
    label: LABELS[variant] ?? variant,
    settlingCpuMs: median(mine.map((run) => run.settling.cpuMs)),
    settlingDiffMs: diff('settling', 'cpuMs'),
    idleCpuMsPer10s: median(mine.map((run) => run.idle.cpuMs * PER)),
    idleDiffMsPer10s: diff('idle', 'cpuMs', PER),
    idleRatio: median(mine.map((run) => run.idle.cpuMs / base(run, 'idle', 'cpuMs'))),
    idleWakeUpsPer10s: median(mine.map((run) => run.idle.wakeUps * PER)),
    idleWakeUpDiffPer10s: diff('idle', 'wakeUps', PER),
    rssMiB: median(mine.map((run) => run.idle.rssMiB)),
    rssDiffMiB: diff('idle', 'rssMiB'),
    resources: [...new Set(mine.flatMap((run) => run.idle.resources))].join(' '),
  };
});

const signed = (value, digits) => `${value >= 0 ? '+' : ''}${formatNumber(value, digits)}`;
printTable(
  `An idle client: CPU of its process over ${IDLE_SECONDS} s of idling, after ${SETTLE_SECONDS} s of settling (medians of ${ROUNDS} rounds; differences and ratios against the process without a client, same round)`,
  [
    ['process', (row) => row.label],
    ['idle CPU ms/10 s', (row) => formatNumber(row.idleCpuMsPer10s, 1)],
    ['vs none', (row) => (row.variant === 'none' ? '' : signed(row.idleDiffMsPer10s, 1))],
    ['ratio', (row) => (row.variant === 'none' ? '' : formatRatio(row.idleRatio))],
    ['wake-ups/10 s', (row) => formatNumber(row.idleWakeUpsPer10s)],
    ['vs none', (row) => (row.variant === 'none' ? '' : signed(row.idleWakeUpDiffPer10s, 0))],
    [`settling CPU ms (${SETTLE_SECONDS} s)`, (row) => formatNumber(row.settlingCpuMs, 1)],
    ['vs none', (row) => (row.variant === 'none' ? '' : signed(row.settlingDiffMs, 1))],
    ['RSS MiB', (row) => formatNumber(row.rssMiB, 1)],
    ['vs none', (row) => (row.variant === 'none' ? '' : signed(row.rssDiffMiB, 1))],
    ['active handles', (row) => row.resources],
  ],
  rows,
);
writeResult('idle-cost', {
  settings: { rounds: ROUNDS, settleSeconds: SETTLE_SECONDS, idleSeconds: IDLE_SECONDS },
  rows,
  runs,
});
