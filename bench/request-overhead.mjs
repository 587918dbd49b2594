// What the plugin costs a request: hello-world apps in Express 5, Koa 3 and Fastify 5, each
// in its own process, loaded by autocannon in a second process, delivering to the local
// authentik test double in a third. Variants alternate within each round; the figures are
// medians of the per-round ratios to the bare app of the same round.
//
// On a machine with two or more CPUs the app is pinned to CPU 0 and the load generator and
// the fake to CPU 1 (BENCH_PIN=0 turns that off): the app has a core of its own, as it would
// in production where authentik runs elsewhere, and the scheduler's placement no longer
// decides the figures (unpinned, the same bare app measured anywhere from 21 000 to 43 000
// req/s on the 2-core machine of bench/README.md).
//
// Two sections: "saturation" (10 connections, closed loop: as many requests as the app can
// answer) and "fixed" (a fixed rate, BENCH_FIXED_FRACTION of the bare app's req/s measured in
// the saturation section of the same run: the latency and CPU a real app sees, and whether
// every event is delivered), see lib/fixed-rate.mjs.
//
//   node bench/request-overhead.mjs   (BENCH_SECTIONS, BENCH_ROUNDS, BENCH_SECONDS, BENCH_FRAMEWORKS,
//                                      BENCH_VARIANTS, BENCH_FIXED_* to change; see bench/README.md)

import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { canPin, startNode } from './lib/children.mjs';
import { processCpuMs } from './lib/cpu.mjs';
import { startFake } from './lib/fake.mjs';
import {
  fixedRateAccounting,
  fixedRateLines,
  printFixedRate,
  runFixedRate,
  summariseFixedRate,
} from './lib/fixed-rate.mjs';
import { envNumber, envString, printTable, writeResult } from './lib/report.mjs';
import { sampleRss } from './lib/rss.mjs';
import { formatNumber, formatRatio, median, mib, ratio } from './lib/stats.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const SECONDS = envNumber('BENCH_SECONDS', 3);
const WARMUP_SECONDS = 1;
const CONNECTIONS = 10;
/** Events per second the throttled fake accepts in the isolation case. */
const ISOLATION_RATE = 100;
/** Set to a folder to get a CPU profile of every app process (`node --cpu-prof`). */
const PROFILE_DIR = envString('BENCH_CPU_PROF', undefined);
const APP_CPU = '0';
const LOAD_CPU = '1';
const FRAMEWORKS = envString('BENCH_FRAMEWORKS', 'express,koa,fastify').split(',');
/** Where the isolation case runs: Fastify, the fastest app, fills the queue fastest. */
const ISOLATION_FRAMEWORKS = envString('BENCH_ISOLATION_FRAMEWORKS', 'fastify').split(',');
/**
 * `isolation` is `autolog` against a fake that accepts only ISOLATION_RATE events/s; `noop` is
 * the control (a middleware or hooks of the plugin's shape doing nothing: the framework's price
 * for any plugin), see apps/app-kit.mjs.
 */
const VARIANTS = envString('BENCH_VARIANTS', 'bare,autolog,no-autolog,noop,pino,isolation').split(
  ',',
);
/** Which sections run: `saturation`, `fixed`, or both (the default). */
const SECTIONS = envString('BENCH_SECTIONS', 'saturation,fixed').split(',');
for (const section of SECTIONS) {
  if (section !== 'saturation' && section !== 'fixed') {
    throw new Error(`BENCH_SECTIONS: unknown section ${section} (saturation, fixed)`);
  }
}
/** The fixed rate: this fraction of the bare app's median req/s at saturation in this run... */
const FIXED_FRACTION = envNumber('BENCH_FIXED_FRACTION', 0.5);
/** ...or this many req/s where the saturation section did not run bare for the framework. */
const FIXED_RATE = envNumber('BENCH_FIXED_RATE', 2000);
const FIXED_ROUNDS = envNumber('BENCH_FIXED_ROUNDS', 3);
const FIXED_SECONDS = envNumber('BENCH_FIXED_SECONDS', 3);
/**
 * How many autocannon instances share the rate, started 1000/slots ms apart (the connections
 * shared among them): autocannon alone sends each second's requests in one burst at the start
 * of the second (1 = that), see lib/load-process.mjs.
 */
const FIXED_SLOTS = envNumber('BENCH_FIXED_SLOTS', CONNECTIONS);
/** bare and autolog by default (the section must fit in ~2 minutes); pino and others opt-in. */
const FIXED_VARIANTS = envString('BENCH_FIXED_VARIANTS', 'bare,autolog').split(',');
const FIXED_ALLOWED = [
  'bare',
  'autolog',
  'autolog-in-process',
  'autolog-worker',
  'pino',
  'no-autolog',
  'noop',
];
for (const variant of FIXED_VARIANTS) {
  if (!FIXED_ALLOWED.includes(variant)) {
    throw new Error(
      `BENCH_FIXED_VARIANTS: unknown variant ${variant} (${FIXED_ALLOWED.join(', ')})`,
    );
  }
}
const ALTERNATIVE = {
  express: 'pino-http',
  koa: 'koa-pino-logger',
  fastify: 'Fastify logger (pino)',
};

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const LOAD = here('./lib/load-process.mjs');

/** Rotates the variant order each round, so no variant always runs first or last. */
function orderFor(round) {
  const shift = round % VARIANTS.length;
  return [...VARIANTS.slice(shift), ...VARIANTS.slice(0, shift)];
}

async function measure(fake, framework, variant, round) {
  const isolation = variant === 'isolation';
  await fake.clear();
  if (isolation) await fake.rateLimit(ISOLATION_RATE);
  const app = startNode(
    here(`./apps/${framework}-app.mjs`),
    [isolation ? 'autolog' : variant, fake.url, fake.token],
    {
      execArgv: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
      cpus: APP_CPU,
    },
  );
  const port = await app.ready();
  const load = startNode(
    LOAD,
    [`http://127.0.0.1:${port}/`, String(CONNECTIONS), String(SECONDS), String(WARMUP_SECONDS)],
    { cpus: LOAD_CPU },
  );
  await load.waitFor('WARM');
  const appCpuStart = processCpuMs(app.pid);
  const fakeCpuStart = processCpuMs(fake.pid);
  const rss = sampleRss(app.pid, 250);
  const result = await load.result(SECONDS * 1000 + 30_000);
  const appCpuMs = processCpuMs(app.pid) - appCpuStart;
  const fakeCpuMs = processCpuMs(fake.pid) - fakeCpuStart;
  const rssSamples = rss.stop();
  await load.exited;
  await app.stop('SIGTERM');
  const final = await app.result();
  // Requests the throttled fake was still holding when the app gave up may yet be stored.
  if (isolation) await sleep(1500);
  const counts = await fake.counts();
  if (isolation) await fake.rateLimit(null);
  const rssValues = rssSamples.map((sample) => sample.rss);
  const run = {
    framework,
    variant,
    round,
    requestsPerSecond: result.requestsPerSecond,
    latencyP99Ms: result.latencyP99Ms,
    latencyAverageMs: result.latencyAverageMs,
    totalRequests: result.totalRequests,
    non2xx: result.non2xx,
    errors: result.errors,
    appCpuUsPerRequest: (appCpuMs * 1000) / result.totalRequests,
    fakeCpuUsPerRequest: (fakeCpuMs * 1000) / result.totalRequests,
    rssMin: Math.min(...rssValues),
    rssMax: Math.max(...rssValues),
    rssSamples,
    stats: final.stats,
    closeReport: final.closeReport,
    stored: counts.stored,
  };
  const note = run.stats
    ? ` emitted=${run.stats.emitted} delivered=${run.stats.delivered} stored=${run.stored}`
    : '';
  console.log(
    `  round ${round} ${framework.padEnd(7)} ${variant.padEnd(10)} ${formatNumber(run.requestsPerSecond).padStart(7)} req/s  p99 ${run.latencyP99Ms.toFixed(2)} ms  app ${run.appCpuUsPerRequest.toFixed(1)} µs/req${note}`,
  );
  return run;
}

/** Accounting after close(): every event emitted is delivered or counted as dropped. */
function accountingOf(run) {
  const { stats } = run;
  if (!stats) return undefined;
  const dropped = Object.values(stats.dropped).reduce((sum, value) => sum + value, 0);
  return {
    emitted: stats.emitted,
    delivered: stats.delivered,
    dropped,
    droppedByReason: Object.fromEntries(
      Object.entries(stats.dropped).filter(([, value]) => value > 0),
    ),
    pending: stats.queued + stats.inFlight,
    balanced: stats.emitted === stats.delivered + dropped && stats.queued + stats.inFlight === 0,
    stored: run.stored,
    // Stored by the fake but dropped by the client: requests aborted by close() after the
    // fake had taken them (at most `concurrency`); the event_id tells such duplicates apart.
    storedButCountedDropped: run.stored - stats.delivered,
  };
}

/** How a variant is named in the tables. */
function labelOf(framework, variant) {
  if (variant === 'pino') return ALTERNATIVE[framework];
  if (variant === 'isolation') return `autolog, fake at ${ISOLATION_RATE} ev/s`;
  if (variant === 'noop') return 'no-op middleware/hooks (control)';
  return variant;
}

function summarise(runs) {
  const summary = [];
  for (const framework of FRAMEWORKS) {
    const of = (variant) =>
      runs.filter((run) => run.framework === framework && run.variant === variant);
    const bareByRound = new Map(of('bare').map((run) => [run.round, run]));
    for (const variant of VARIANTS) {
      const list = of(variant);
      if (list.length === 0) continue;
      const perRound = (pick) =>
        list.map((run) => ratio(pick(run), pick(bareByRound.get(run.round))));
      summary.push({
        framework,
        variant,
        label: labelOf(framework, variant),
        rounds: list.length,
        requestsPerSecond: median(list.map((run) => run.requestsPerSecond)),
        requestsRatio: median(perRound((run) => run.requestsPerSecond)),
        latencyP99Ms: median(list.map((run) => run.latencyP99Ms)),
        latencyP99Ratio: median(perRound((run) => run.latencyP99Ms)),
        appCpuUsPerRequest: median(list.map((run) => run.appCpuUsPerRequest)),
        appCpuRatio: median(perRound((run) => run.appCpuUsPerRequest)),
        fakeCpuUsPerRequest: median(list.map((run) => run.fakeCpuUsPerRequest)),
        rssMaxMiB: median(list.map((run) => run.rssMax)) / 1024 / 1024,
        accounting: list.map(accountingOf).filter(Boolean),
      });
    }
  }
  return summary;
}

function targets(summary) {
  const checks = [];
  for (const framework of FRAMEWORKS) {
    const row = (variant) =>
      summary.find(
        (entry) => entry.framework === framework && entry.variant === variant && entry.rounds > 0,
      );
    const off = row('no-autolog');
    const on = row('autolog');
    const alternative = row('pino');
    const isolation = row('isolation');
    if (off)
      checks.push({
        framework,
        target: 'autoLog:false >= 0.97x bare (req/s)',
        measured: formatRatio(off.requestsRatio),
        met: off.requestsRatio >= 0.97,
      });
    if (on)
      checks.push({
        framework,
        target: 'autoLog on >= 0.90x bare (req/s)',
        measured: formatRatio(on.requestsRatio),
        met: on.requestsRatio >= 0.9,
      });
    if (on && alternative) {
      checks.push({
        framework,
        target: `autoLog on better than ${ALTERNATIVE[framework]}`,
        measured: `${formatRatio(on.requestsRatio)} vs ${formatRatio(alternative.requestsRatio)}`,
        met: on.requestsRatio > alternative.requestsRatio,
      });
    }
    if (isolation) {
      const balanced = isolation.accounting.every((entry) => entry.balanced);
      checks.push({
        framework,
        target: 'isolation: every event delivered or counted as dropped',
        measured: balanced ? 'balanced in every round' : 'NOT balanced',
        met: balanced,
      });
    }
  }
  return checks;
}

/** RSS of the app during an isolation run: flat once the queue is full. */
function rssTrend(runs) {
  return runs
    .filter((run) => run.variant === 'isolation')
    .map((run) => {
      const later = run.rssSamples
        .filter((sample) => sample.atMs >= 1000)
        .map((sample) => sample.rss);
      const secondHalf = run.rssSamples
        .filter((sample) => sample.atMs >= (SECONDS * 1000) / 2)
        .map((sample) => sample.rss);
      return {
        framework: run.framework,
        round: run.round,
        rssAtStartMiB: run.rssSamples[0].rss / 1024 / 1024,
        rssMaxMiB: Math.max(...later) / 1024 / 1024,
        growthInSecondHalfMiB: (Math.max(...secondHalf) - Math.min(...secondHalf)) / 1024 / 1024,
        queueFull: run.stats.dropped.queue_full,
      };
    });
}

/** Runs the saturation section and prints its tables; returns what goes into the JSON. */
async function saturationSection(fake) {
  const runs = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const framework of FRAMEWORKS) {
      for (const variant of orderFor(round)) {
        if (variant === 'isolation' && !ISOLATION_FRAMEWORKS.includes(framework)) continue;
        runs.push(await measure(fake, framework, variant, round));
      }
    }
  }
  const summary = summarise(runs);
  printTable(
    'Requests: medians of the per-round ratios to the bare app of the same round (higher req/s ratio is better)',
    [
      ['framework', (row) => row.framework],
      ['variant', (row) => row.label],
      ['req/s', (row) => formatNumber(row.requestsPerSecond)],
      ['req/s vs bare', (row) => formatRatio(row.requestsRatio)],
      ['p99 ms', (row) => formatNumber(row.latencyP99Ms, 2)],
      ['p99 vs bare', (row) => formatRatio(row.latencyP99Ratio)],
      ['app CPU µs/req', (row) => formatNumber(row.appCpuUsPerRequest, 1)],
      ['CPU vs bare', (row) => formatRatio(row.appCpuRatio)],
      ['fake CPU µs/req', (row) => formatNumber(row.fakeCpuUsPerRequest, 1)],
      ['app RSS max', (row) => `${row.rssMaxMiB.toFixed(1)} MiB`],
    ],
    summary,
  );
  const trend = rssTrend(runs);
  printTable(
    `Isolation: autoLog on, full load, the fake accepting ${ISOLATION_RATE} events/s (queue bounded by maxQueueSize 10 000 / maxQueueBytes 16 MiB)`,
    [
      ['framework', (row) => row.framework],
      ['round', (row) => row.round],
      ['RSS at start', (row) => `${row.rssAtStartMiB.toFixed(1)} MiB`],
      ['RSS max', (row) => `${row.rssMaxMiB.toFixed(1)} MiB`],
      ['RSS change, 2nd half', (row) => `${row.growthInSecondHalfMiB.toFixed(1)} MiB`],
      ['dropped queue_full', (row) => formatNumber(row.queueFull)],
    ],
    trend,
  );
  const accounting = summary
    .filter((row) => row.variant === 'isolation' || row.variant.startsWith('autolog'))
    .flatMap((row) =>
      row.accounting.map((entry) => ({ framework: row.framework, variant: row.variant, ...entry })),
    );
  printTable(
    'Accounting after close(): emitted = delivered + dropped, nothing pending; stored = what the fake holds',
    [
      ['framework', (row) => row.framework],
      ['variant', (row) => row.variant],
      ['emitted', (row) => row.emitted],
      ['delivered', (row) => row.delivered],
      ['dropped', (row) => `${row.dropped} ${JSON.stringify(row.droppedByReason)}`],
      ['balanced', (row) => (row.balanced ? 'yes' : 'NO')],
      ['stored', (row) => row.stored],
      ['stored, counted dropped', (row) => row.storedButCountedDropped],
    ],
    accounting,
  );
  const checks = targets(summary);
  printTable(
    'Targets',
    [
      ['framework', (row) => row.framework],
      ['target', (row) => row.target],
      ['measured', (row) => row.measured],
      ['met', (row) => (row.met ? 'met' : 'NOT met')],
    ],
    checks,
  );
  if (runs.length > 0) {
    console.log(`(rss peak across all runs: ${mib(Math.max(...runs.map((run) => run.rssMax)))})`);
  }
  return { runs, summary, trend, checks };
}

/**
 * The fixed rate per framework: FIXED_FRACTION of the bare app's median req/s in the
 * saturation section of this run, or FIXED_RATE where that section did not run bare.
 */
function fixedRates(saturationSummary) {
  return Object.fromEntries(
    FRAMEWORKS.map((framework) => {
      const bare = saturationSummary.find(
        (row) => row.framework === framework && row.variant === 'bare',
      );
      if (bare && Number.isFinite(bare.requestsPerSecond) && bare.requestsPerSecond > 0) {
        return [
          framework,
          {
            rate: Math.max(1, Math.round(FIXED_FRACTION * bare.requestsPerSecond)),
            from: `${FIXED_FRACTION} x bare ${formatNumber(bare.requestsPerSecond)} req/s at saturation`,
          },
        ];
      }
      return [framework, { rate: Math.round(FIXED_RATE), from: 'BENCH_FIXED_RATE' }];
    }),
  );
}

/** Runs the fixed-rate section and prints its tables; returns what goes into the JSON. */
async function fixedSection(fake, saturationSummary) {
  const settings = {
    rounds: FIXED_ROUNDS,
    seconds: FIXED_SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    connections: CONNECTIONS,
    slots: FIXED_SLOTS,
    variants: FIXED_VARIANTS,
    fraction: FIXED_FRACTION,
    fallbackRate: FIXED_RATE,
    appCpu: APP_CPU,
    loadCpu: LOAD_CPU,
    execArgv: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
  };
  const rates = fixedRates(saturationSummary);
  console.log(
    `\nat a fixed rate (autocannon overallRate, ${CONNECTIONS} connections in ${FIXED_SLOTS} instances ${(1000 / FIXED_SLOTS).toFixed(0)} ms apart): ${FRAMEWORKS.map((framework) => `${framework} ${formatNumber(rates[framework].rate)} req/s (${rates[framework].from})`).join(', ')}; ${FIXED_VARIANTS.join(', ')}; ${FIXED_ROUNDS} rounds x ${FIXED_SECONDS} s (+${WARMUP_SECONDS} s warm-up)`,
  );
  const startedAt = Date.now();
  const runs = await runFixedRate(fake, FRAMEWORKS, rates, settings);
  const summary = summariseFixedRate(runs, FRAMEWORKS, FIXED_VARIANTS, labelOf);
  const accounting = fixedRateAccounting(runs);
  const lines = fixedRateLines(summary);
  const { appCpu, loadCpu, execArgv, ...written } = settings;
  printFixedRate({ summary, accounting, lines });
  const seconds = (Date.now() - startedAt) / 1000;
  console.log(`(fixed-rate section: ${seconds.toFixed(0)} s)`);
  return { settings: written, rates, summary, accounting, lines, runs, seconds };
}

async function main() {
  console.log(
    `request overhead: ${FRAMEWORKS.join(', ')}; sections ${SECTIONS.join(', ')}; ${SECTIONS.includes('saturation') ? `${ROUNDS} rounds x ${SECONDS} s (+${WARMUP_SECONDS} s warm-up), ${CONNECTIONS} connections; ` : ''}${canPin() ? `app on CPU ${APP_CPU}, load and fake on CPU ${LOAD_CPU}` : 'not pinned'}; load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const fake = await startFake({ cpus: LOAD_CPU });
  let saturation = { runs: [], summary: [], trend: [], checks: [] };
  let fixed;
  try {
    if (SECTIONS.includes('saturation')) saturation = await saturationSection(fake);
    if (SECTIONS.includes('fixed')) fixed = await fixedSection(fake, saturation.summary);
  } finally {
    await fake.close();
  }
  writeResult('request-overhead', {
    settings: {
      sections: SECTIONS,
      rounds: ROUNDS,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      isolationRate: ISOLATION_RATE,
    },
    summary: saturation.summary,
    isolation: saturation.trend,
    targets: saturation.checks,
    runs: saturation.runs.map(({ rssSamples, ...run }) => ({
      ...run,
      rssSamples: rssSamples.map((sample) => [sample.atMs, sample.rss]),
    })),
    // The "at a fixed rate" section: settings, the rate per framework and where it came from,
    // medians, per-round accounting, the one-line verdicts and every run's raw figures.
    fixedRate: fixed ?? null,
  });
}

await main();
