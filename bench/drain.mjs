// Draining a backlog against a server of limited capacity, as authentik is: the test double's
// capacity mode (16 workers × 5 ms, about 3,200 events/s, 8 more may wait, 503 beyond). In
// each round, in this order:
//   1. capacity: a load generator (plain POSTs in a closed loop, one per worker and place in
//      the queue, so that none is refused) measures what the stand-in serves in this run;
//   2. drain: a client with the default delivery options drains a 12,000-event backlog;
//      drain rate / capacity, the share of requests answered 503, the stand-in's longest queue;
//   3. slower: the same drain, and the stand-in's service time doubles when half of it is
//      served; how soon the client's limit comes down, and the drain rate after the change
//      against the slower server's capacity (measured by the load generator too).
// Each role runs in its own process: the stand-in on CPU 1, the load or the client on CPU 0.
//
//   node bench/drain.mjs
// BENCH_ROUNDS (3), BENCH_DRAIN_EVENTS (12000), BENCH_DRAIN_WORKERS (16),
// BENCH_DRAIN_SERVICE_MS (5), BENCH_DRAIN_QUEUE (8), BENCH_CAPACITY_MS (3000).
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { canPin, runNode, startNode } from './lib/children.mjs';
import { startFake } from './lib/fake.mjs';
import { envNumber, printTable, writeResult } from './lib/report.mjs';
import { formatNumber, median } from './lib/stats.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const EVENTS = envNumber('BENCH_DRAIN_EVENTS', 12_000);
const CAPACITY = {
  workers: envNumber('BENCH_DRAIN_WORKERS', 16),
  serviceMs: envNumber('BENCH_DRAIN_SERVICE_MS', 5),
  queue: envNumber('BENCH_DRAIN_QUEUE', 8),
};
const CAPACITY_MS = envNumber('BENCH_CAPACITY_MS', 3000);
const LOAD = fileURLToPath(new URL('./lib/capacity-load.mjs', import.meta.url));
const DRAIN = fileURLToPath(new URL('./lib/drain-process.mjs', import.meta.url));
const CLIENT_CPU = '0';
/**
 * The other delivery modes, drained the same way, for comparison: `worker` is the same thread
 * at the app's priority (the default's lowest priority yields to every other process on the
 * machine, not only to the app), `in-process` has no thread at all.
 */
const COMPARED = ['worker', 'in-process'];
const FAKE_CPU = '1';

async function measureCapacity(fake, capacity = CAPACITY) {
  await fake.capacity(capacity);
  await fake.clear();
  const connections = CAPACITY.workers + CAPACITY.queue;
  const result = await runNode(
    LOAD,
    [fake.url, fake.token, String(connections), '500', String(CAPACITY_MS)],
    { cpus: CLIENT_CPU },
  );
  return result.storedPerSecond;
}

function shareRefused(stats) {
  return stats.rejected / Math.max(1, stats.rejected + stats.served);
}

/** The stand-in's queue, averaged over a period: the time requests waited / its length. */
const meanQueue = (stats, ms) => stats.waitedMs / ms;

async function drain(fake, delivery) {
  await fake.capacity(CAPACITY);
  await fake.clear();
  const args = [fake.url, fake.token, String(EVENTS)];
  if (delivery) args.push(delivery);
  const result = await runNode(DRAIN, args, { cpus: CLIENT_CPU });
  const stats = await fake.capacityStats();
  const limits = result.limits.map(([, limit]) => limit);
  return {
    ...result,
    limits: undefined,
    eventsPerSecond: (EVENTS * 1000) / result.wallMs,
    // How busy the client kept its CPU: near 1, the client, not the stand-in, was the limit.
    cpuShare: result.cpuMs / result.wallMs,
    refusedShare: shareRefused(stats),
    maxWaiting: stats.maxWaiting,
    meanWaiting: meanQueue(stats, result.wallMs),
    // How busy the stand-in's workers were during the drain (1: every worker, all the time).
    busy: stats.busyMs / (CAPACITY.workers * result.wallMs),
    meanLimit: limits.reduce((sum, limit) => sum + limit, 0) / Math.max(1, limits.length),
    maxLimit: Math.max(...limits),
  };
}

/** The limit samples between two times. */
const between = (limits, from, to) =>
  limits.filter(([at]) => at >= from && at < to).map(([, limit]) => limit);
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

async function slower(fake) {
  await fake.capacity(CAPACITY);
  await fake.clear();
  const run = startNode(DRAIN, [fake.url, fake.token, String(EVENTS)], { cpus: CLIENT_CPU });
  const result = run.result(600_000);
  let served = 0;
  while (served < EVENTS / 2) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    ({ served } = await fake.capacityStats());
  }
  await fake.capacity({ ...CAPACITY, serviceMs: 2 * CAPACITY.serviceMs });
  const switchedAt = Date.now();
  const servedAtSwitch = (await fake.capacityStats()).served;
  const done = await result;
  await run.exited;
  const stats = await fake.capacityStats();
  const before = between(done.limits, switchedAt - 1000, switchedAt);
  const atSwitch = before.at(-1) ?? Number.NaN;
  const firstDown = done.limits.find(([at, limit]) => at >= switchedAt && limit < atSwitch);
  const twoSeconds = between(done.limits, switchedAt, switchedAt + 2000);
  const lowest = Math.min(...twoSeconds);
  const lowestAt = done.limits.find(([at, limit]) => at >= switchedAt && limit === lowest)?.[0];
  const afterMs = done.endedAt - switchedAt;
  return {
    atSwitch,
    meanBefore: mean(before),
    downAfterMs: firstDown ? firstDown[0] - switchedAt : Number.NaN,
    lowest,
    lowestAfterMs: lowestAt === undefined ? Number.NaN : lowestAt - switchedAt,
    meanAfter: mean(between(done.limits, switchedAt + 1000, done.endedAt)),
    eventsPerSecondAfter: ((EVENTS - servedAtSwitch) * 1000) / afterMs,
    refusedShare: shareRefused(stats),
    maxWaiting: stats.maxWaiting,
  };
}

async function main() {
  const capacityText = `${CAPACITY.workers} workers × ${CAPACITY.serviceMs} ms, ${CAPACITY.queue} waiting`;
  console.log(
    `drain: ${ROUNDS} rounds, ${EVENTS} events, stand-in of ${capacityText}; ${canPin() ? `client and load on CPU ${CLIENT_CPU}, stand-in on CPU ${FAKE_CPU}` : 'not pinned'}; load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const fake = await startFake({ capacity: CAPACITY, cpus: FAKE_CPU });
  const rounds = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const capacity = await measureCapacity(fake);
      const slowerCapacity = await measureCapacity(fake, {
        ...CAPACITY,
        serviceMs: 2 * CAPACITY.serviceMs,
      });
      const run = await drain(fake);
      const compared = {};
      for (const delivery of COMPARED) {
        const other = await drain(fake, delivery);
        compared[delivery] = { ...other, ratio: other.eventsPerSecond / capacity };
      }
      const slow = await slower(fake);
      const entry = {
        round,
        capacity,
        slowerCapacity,
        ...run,
        ratio: run.eventsPerSecond / capacity,
        compared,
        slow,
      };
      entry.slow.ratioAfter = slow.eventsPerSecondAfter / slowerCapacity;
      rounds.push(entry);
      console.log(
        `  round ${round}: capacity ${formatNumber(capacity)}/s; drain ${formatNumber(run.eventsPerSecond)}/s (${entry.ratio.toFixed(3)}x), 503 ${(100 * run.refusedShare).toFixed(2)}%, queue longest ${run.maxWaiting} mean ${run.meanWaiting.toFixed(2)}, stand-in busy ${(100 * run.busy).toFixed(0)}%, limit mean ${run.meanLimit.toFixed(1)} max ${run.maxLimit}, client CPU ${(100 * run.cpuShare).toFixed(0)}%; ${COMPARED.map((delivery) => `${delivery} ${compared[delivery].ratio.toFixed(3)}x`).join(', ')}; slower: limit ${slow.atSwitch} at the switch, first down after ${formatNumber(slow.downAfterMs)} ms, lowest ${slow.lowest} after ${formatNumber(slow.lowestAfterMs)} ms, drain after ${formatNumber(slow.eventsPerSecondAfter)}/s, ${entry.slow.ratioAfter.toFixed(3)}x of the slower capacity (${formatNumber(slowerCapacity)}/s), 503 ${(100 * slow.refusedShare).toFixed(2)}%`,
      );
    }
  } finally {
    await fake.close();
  }
  const pick = (get) => median(rounds.map(get));
  const summary = {
    capacity: pick((r) => r.capacity),
    eventsPerSecond: pick((r) => r.eventsPerSecond),
    ratio: pick((r) => r.ratio),
    refusedShare: pick((r) => r.refusedShare),
    maxWaiting: pick((r) => r.maxWaiting),
    meanWaiting: pick((r) => r.meanWaiting),
    meanLimit: pick((r) => r.meanLimit),
    cpuShare: pick((r) => r.cpuShare),
    downAfterMs: pick((r) => r.slow.downAfterMs),
    lowestAfterMs: pick((r) => r.slow.lowestAfterMs),
    ratioAfter: pick((r) => r.slow.ratioAfter),
    slowRefusedShare: pick((r) => r.slow.refusedShare),
  };
  printTable(
    `Drain of ${EVENTS} events, default options (medians of ${ROUNDS} rounds; ratios per round against the load generator of the same round)`,
    [
      ['phase', (row) => row.phase],
      ['events/s', (row) => formatNumber(row.rate)],
      ['vs capacity', (row) => (Number.isFinite(row.ratio) ? `${row.ratio.toFixed(3)}x` : '')],
      ['answered 503', (row) => row.refused],
      ['queue: longest', (row) => row.queue],
      ['mean', (row) => row.meanQueue],
      ['mean limit', (row) => row.limit],
      ['client CPU', (row) => row.cpu ?? ''],
      ['stand-in busy', (row) => row.busy ?? ''],
    ],
    [
      {
        phase: `capacity (load generator, ${CAPACITY.workers + CAPACITY.queue} connections)`,
        rate: summary.capacity,
        ratio: 1,
        refused: '',
        queue: '',
        meanQueue: '',
        limit: '',
      },
      {
        phase: 'capacity, service time doubled',
        rate: pick((r) => r.slowerCapacity),
        ratio: Number.NaN,
        refused: '',
        queue: '',
        meanQueue: '',
        limit: '',
      },
      {
        phase: 'drain',
        rate: summary.eventsPerSecond,
        ratio: summary.ratio,
        refused: `${(100 * summary.refusedShare).toFixed(2)}%`,
        queue: formatNumber(summary.maxWaiting),
        meanQueue: summary.meanWaiting.toFixed(2),
        limit: summary.meanLimit.toFixed(1),
        cpu: `${(100 * summary.cpuShare).toFixed(0)}%`,
        busy: `${(100 * pick((r) => r.busy)).toFixed(0)}%`,
      },
      ...COMPARED.map((delivery) => ({
        phase: `drain, delivery: '${delivery}' (for comparison)`,
        rate: pick((r) => r.compared[delivery].eventsPerSecond),
        ratio: pick((r) => r.compared[delivery].ratio),
        refused: `${(100 * pick((r) => r.compared[delivery].refusedShare)).toFixed(2)}%`,
        queue: formatNumber(pick((r) => r.compared[delivery].maxWaiting)),
        meanQueue: pick((r) => r.compared[delivery].meanWaiting).toFixed(2),
        limit: pick((r) => r.compared[delivery].meanLimit).toFixed(1),
        cpu: `${(100 * pick((r) => r.compared[delivery].cpuShare)).toFixed(0)}%`,
        busy: `${(100 * pick((r) => r.compared[delivery].busy)).toFixed(0)}%`,
      })),
      {
        phase: 'drain after the service time doubled',
        rate: pick((r) => r.slow.eventsPerSecondAfter),
        ratio: summary.ratioAfter,
        refused: `${(100 * summary.slowRefusedShare).toFixed(2)}%`,
        queue: formatNumber(pick((r) => r.slow.maxWaiting)),
        meanQueue: '',
        limit: pick((r) => r.slow.meanAfter).toFixed(1),
      },
    ],
  );
  const targets = [
    {
      target: 'drain >= 0.8x the capacity',
      measured: `${summary.ratio.toFixed(3)}x`,
      met: summary.ratio >= 0.8,
    },
    {
      target: 'under 1% of requests answered 503',
      measured: `${(100 * summary.refusedShare).toFixed(2)}%`,
      met: summary.refusedShare < 0.01,
    },
    {
      // "Short": on average, less than a quarter of the room it has.
      target: `the stand-in's queue kept short (mean < ${CAPACITY.queue / 4} of ${CAPACITY.queue})`,
      measured: `mean ${summary.meanWaiting.toFixed(2)}, longest ${formatNumber(summary.maxWaiting)}`,
      met: summary.meanWaiting < CAPACITY.queue / 4,
    },
    {
      target: 'the limit comes down within seconds of the service time doubling',
      measured: `first decrease after ${(summary.downAfterMs / 1000).toFixed(2)} s, lowest after ${(summary.lowestAfterMs / 1000).toFixed(2)} s`,
      met: summary.downAfterMs < 5000,
    },
  ];
  printTable(
    'Targets',
    [
      ['target', (row) => row.target],
      ['measured', (row) => row.measured],
      ['met', (row) => (row.met ? 'met' : 'NOT met')],
    ],
    targets,
  );
  writeResult('drain', {
    settings: { rounds: ROUNDS, events: EVENTS, capacity: CAPACITY, capacityMs: CAPACITY_MS },
    summary,
    targets,
    rounds,
  });
}

await main();
