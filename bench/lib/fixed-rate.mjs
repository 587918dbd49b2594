// The "at a fixed rate" section of request-overhead.mjs: the same apps, loaded at a request
// rate well below saturation (autocannon's `overallRate`), as a real app mostly is. There
// the question is not how many requests the app can answer, but what the plugin adds to the
// latency and the CPU of each one, and whether every event reaches authentik.
import { fileURLToPath } from 'node:url';
import { startNode } from './children.mjs';
import { processCpuMs } from './cpu.mjs';
import { printTable } from './report.mjs';
import { formatNumber, formatRatio, median, ratio } from './stats.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const LOAD = here('./load-process.mjs');
const appScript = (framework) => here(`../apps/${framework}-app.mjs`);

/** Variants whose app runs the plugin with autoLog on: their events are counted. */
const logsEvents = (variant) => variant.startsWith('autolog');

/** Rotates the variant order each round, so no variant always runs first or last. */
function orderFor(variants, round) {
  const shift = round % variants.length;
  return [...variants.slice(shift), ...variants.slice(0, shift)];
}

/** Sum of a client's `dropped` counters, and the reasons that are not zero. */
function droppedOf(stats) {
  const byReason = Object.fromEntries(Object.entries(stats.dropped).filter(([, n]) => n > 0));
  return { total: Object.values(byReason).reduce((sum, n) => sum + n, 0), byReason };
}

/** One app process at `rate` requests per second: latency, CPU, and the client's final stats. */
async function measureAtRate(fake, settings, { framework, variant, round, rate }) {
  await fake.clear();
  const app = startNode(appScript(framework), [variant, fake.url, fake.token], {
    execArgv: settings.execArgv,
    cpus: settings.appCpu,
  });
  const port = await app.ready();
  const load = startNode(
    LOAD,
    [
      `http://127.0.0.1:${port}/`,
      String(settings.connections),
      String(settings.seconds),
      String(settings.warmupSeconds),
      String(rate),
      String(settings.slots),
    ],
    { cpus: settings.loadCpu },
  );
  await load.waitFor('WARM');
  const appCpuStart = processCpuMs(app.pid);
  await load.waitFor('MEASURED', settings.seconds * 1000 + 30_000);
  const appCpuMs = processCpuMs(app.pid) - appCpuStart;
  const result = await load.result(30_000);
  await load.exited;
  await app.stop('SIGTERM');
  const final = await app.result();
  const counts = await fake.counts();
  const run = {
    framework,
    variant,
    round,
    rate,
    // Achieved: each autocannon instance over whole seconds of its own pace.
    requestsPerSecond: result.requestsPerSecond,
    // Answered within the measured window (between the two CPU readings).
    totalRequests: result.totalRequests,
    windowRequestsPerSecond: result.windowRequestsPerSecond,
    latencyP50Ms: result.latencyP50Ms,
    latencyP99Ms: result.latencyP99Ms,
    latencyP999Ms: result.latencyP999Ms,
    busiestBucketVsEven: result.busiestBucketVsEven,
    slots: result.slots,
    non2xx: result.non2xx,
    errors: result.errors,
    // The app process's CPU time (the delivery worker thread included) over the measured run.
    appCpuUsPerRequest: (appCpuMs * 1000) / result.totalRequests,
    stats: final.stats,
    closeMs: final.closeMs,
    stored: counts.stored,
  };
  const note = run.stats
    ? ` emitted=${run.stats.emitted} delivered=${run.stats.delivered} dropped=${droppedOf(run.stats).total}`
    : '';
  console.log(
    `  fixed round ${round} ${framework.padEnd(7)} ${variant.padEnd(18)} ${formatNumber(run.requestsPerSecond).padStart(7)} of ${formatNumber(rate)} req/s  p50 ${run.latencyP50Ms.toFixed(2)} p99 ${run.latencyP99Ms.toFixed(2)} p99.9 ${run.latencyP999Ms.toFixed(2)} ms  app ${run.appCpuUsPerRequest.toFixed(1)} µs/req${note}`,
  );
  return run;
}

/**
 * Runs every framework at its rate (`rates[framework].rate`), the variants alternating
 * within each round. `settings`: rounds, seconds, warmupSeconds, connections, slots (how many
 * autocannon instances, started 1000/slots ms apart, share the rate: see lib/load-process.mjs),
 * variants, appCpu, loadCpu, execArgv.
 */
export async function runFixedRate(fake, frameworks, rates, settings) {
  const runs = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const framework of frameworks) {
      for (const variant of orderFor(settings.variants, round)) {
        runs.push(
          await measureAtRate(fake, settings, {
            framework,
            variant,
            round,
            rate: rates[framework].rate,
          }),
        );
      }
    }
  }
  return runs;
}

/** Medians across rounds per framework and variant; ratios per round against bare. */
export function summariseFixedRate(runs, frameworks, variants, labelOf) {
  const summary = [];
  for (const framework of frameworks) {
    const of = (variant) =>
      runs.filter((run) => run.framework === framework && run.variant === variant);
    const bareByRound = new Map(of('bare').map((run) => [run.round, run]));
    for (const variant of variants) {
      const list = of(variant);
      if (list.length === 0) continue;
      const perRound = (pick) =>
        list.map((run) => ratio(pick(run), pick(bareByRound.get(run.round) ?? {})));
      const events = list.filter((run) => run.stats);
      summary.push({
        framework,
        variant,
        label: labelOf(framework, variant),
        rounds: list.length,
        rate: list[0].rate,
        requestsPerSecond: median(list.map((run) => run.requestsPerSecond)),
        latencyP50Ms: median(list.map((run) => run.latencyP50Ms)),
        latencyP50Ratio: median(perRound((run) => run.latencyP50Ms)),
        latencyP99Ms: median(list.map((run) => run.latencyP99Ms)),
        latencyP99Ratio: median(perRound((run) => run.latencyP99Ms)),
        latencyP999Ms: median(list.map((run) => run.latencyP999Ms)),
        latencyP999Ratio: median(perRound((run) => run.latencyP999Ms)),
        appCpuUsPerRequest: median(list.map((run) => run.appCpuUsPerRequest)),
        appCpuRatio: median(perRound((run) => run.appCpuUsPerRequest)),
        busiestBucketVsEven: median(list.map((run) => run.busiestBucketVsEven)),
        ...(logsEvents(variant) && events.length > 0
          ? {
              emitted: events.reduce((sum, run) => sum + run.stats.emitted, 0),
              delivered: events.reduce((sum, run) => sum + run.stats.delivered, 0),
            }
          : {}),
      });
    }
  }
  return summary;
}

/** Per round, for the variants that log: what close() reported, and whether all arrived. */
export function fixedRateAccounting(runs) {
  const order = (run) => `${run.framework} ${run.variant} ${String(run.round).padStart(4)}`;
  return runs
    .filter((run) => logsEvents(run.variant) && run.stats)
    .sort((a, b) => order(a).localeCompare(order(b)))
    .map((run) => {
      const { stats } = run;
      const dropped = droppedOf(stats);
      return {
        framework: run.framework,
        variant: run.variant,
        round: run.round,
        rate: run.rate,
        emitted: stats.emitted,
        delivered: stats.delivered,
        dropped: dropped.total,
        droppedByReason: dropped.byReason,
        pending: stats.queued + stats.inFlight,
        allDelivered: stats.delivered === stats.emitted,
        stored: run.stored,
        closeMs: run.closeMs,
      };
    });
}

/** Below this share of the rate, a row describes an app that could not keep up. */
const KEPT_UP = 0.97;

/**
 * One line per framework and logging variant: delivered X/Y (all rounds), p99 vs bare; and a
 * warning where the variant or bare did not reach the rate (then it was not a fixed rate).
 */
export function fixedRateLines(summary) {
  return summary
    .filter((row) => logsEvents(row.variant) && row.emitted !== undefined)
    .map((row) => {
      const bare = summary.find(
        (entry) => entry.framework === row.framework && entry.variant === 'bare',
      );
      const short = [row, bare]
        .filter((entry) => entry && entry.requestsPerSecond < KEPT_UP * entry.rate)
        .map((entry) => `${entry.variant} ${formatNumber(entry.requestsPerSecond)}`);
      return {
        framework: row.framework,
        variant: row.variant,
        rate: row.rate,
        delivered: row.delivered,
        emitted: row.emitted,
        allDelivered: row.delivered === row.emitted,
        latencyP99Ratio: row.latencyP99Ratio,
        keptUp: short.length === 0,
        text: `fixed rate ${formatNumber(row.rate)} req/s: ${row.variant} delivered ${formatNumber(row.delivered)}/${formatNumber(row.emitted)}, p99 vs bare ${formatRatio(row.latencyP99Ratio)}${short.length > 0 ? ` (below the rate: ${short.join(', ')} req/s achieved)` : ''}`,
      };
    });
}

export function printFixedRate({ summary, accounting, lines }) {
  const ms = (value) => formatNumber(value, 2);
  printTable(
    'Fixed rate: medians across rounds; ratios per round against the bare app at the same rate (lower is better)',
    [
      ['framework', (row) => row.framework],
      ['variant', (row) => row.label],
      ['rate', (row) => formatNumber(row.rate)],
      ['achieved req/s', (row) => formatNumber(row.requestsPerSecond)],
      ['p50 ms', (row) => ms(row.latencyP50Ms)],
      ['p50 vs bare', (row) => formatRatio(row.latencyP50Ratio)],
      ['p99 ms', (row) => ms(row.latencyP99Ms)],
      ['p99 vs bare', (row) => formatRatio(row.latencyP99Ratio)],
      ['p99.9 ms', (row) => ms(row.latencyP999Ms)],
      ['p99.9 vs bare', (row) => formatRatio(row.latencyP999Ratio)],
      ['app CPU µs/req', (row) => formatNumber(row.appCpuUsPerRequest, 1)],
      ['CPU vs bare', (row) => formatRatio(row.appCpuRatio)],
      ['busiest 100 ms', (row) => `${formatNumber(row.busiestBucketVsEven, 2)}x`],
    ],
    summary,
  );
  printTable(
    'Fixed rate, accounting after close() per round: every event should be delivered',
    [
      ['framework', (row) => row.framework],
      ['variant', (row) => row.variant],
      ['round', (row) => row.round],
      ['emitted', (row) => row.emitted],
      ['delivered', (row) => row.delivered],
      ['dropped', (row) => `${row.dropped} ${JSON.stringify(row.droppedByReason)}`],
      ['pending', (row) => row.pending],
      ['stored', (row) => row.stored],
      [
        'delivered == emitted',
        (row) =>
          row.allDelivered ? 'all delivered' : `${row.delivered} of ${row.emitted} delivered`,
      ],
    ],
    accounting,
  );
  console.log('\nFixed rate, per framework (delivered: all rounds together)');
  for (const line of lines) console.log(`${line.framework.padEnd(9)}  ${line.text}`);
}
