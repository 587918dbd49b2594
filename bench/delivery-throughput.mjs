// Delivering a backlog of events to the local authentik test double: our client (emit all,
// then flush) against the official @goauthentik/api client awaited one by one, and the same
// client with an unbounded Promise.all. Each variant runs in its own process (its CPU time is
// its own); the fake runs in another. Variants alternate within each round; medians.
//
//   node bench/delivery-throughput.mjs
// Sizes (defaults fit the whole suite in 10 minutes on a small 2-core VM; the issue's full size
// is BENCH_EVENTS=50000 BENCH_SERIAL_EVENTS=50000): BENCH_ROUNDS, BENCH_EVENTS (ours and
// Promise.all), BENCH_SERIAL_EVENTS (one by one), BENCH_LATENCY_EVENTS, BENCH_SERIAL_LATENCY_EVENTS.

import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { canPin, runNode } from './lib/children.mjs';
import { processCpuMs } from './lib/cpu.mjs';
import { startFake } from './lib/fake.mjs';
import { envNumber, printTable, writeResult } from './lib/report.mjs';
import { formatNumber, formatRatio, median } from './lib/stats.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const EVENTS = envNumber('BENCH_EVENTS', 10_000);
/** One by one is the slow one: fewer events, compared as rates (events/s), never as totals. */
const SERIAL_EVENTS = envNumber('BENCH_SERIAL_EVENTS', 5_000);
const LATENCY_MS = 5;
/** With 5 ms per answer one by one takes 5 ms an event: fewer events, compared as rates. */
const LATENCY_EVENTS = envNumber('BENCH_LATENCY_EVENTS', 2_000);
const SERIAL_LATENCY_EVENTS = envNumber('BENCH_SERIAL_LATENCY_EVENTS', 500);
const CHILD = fileURLToPath(new URL('./lib/deliver-process.mjs', import.meta.url));
// The sender and the fake on a core each (where the machine allows: see lib/children.mjs).
const SENDER_CPU = '0';
const FAKE_CPU = '1';

const SCENARIOS = [
  {
    name: 'no faults',
    latencyMs: 0,
    baseline: 'official-serial',
    variants: [
      { id: 'ours', label: 'ours (defaults: adaptive limit): emit all, flush', events: EVENTS },
      {
        id: 'ours',
        delivery: 'in-process',
        label: "ours, delivery: 'in-process'",
        events: EVENTS,
      },
      { id: 'official-serial', label: '@goauthentik/api one by one', events: SERIAL_EVENTS },
      { id: 'official-all', label: '@goauthentik/api Promise.all', events: EVENTS },
    ],
  },
  {
    name: `fake latency ${LATENCY_MS} ms`,
    latencyMs: LATENCY_MS,
    baseline: 'official-serial',
    variants: [
      { id: 'ours', label: 'ours (defaults: adaptive limit)', events: LATENCY_EVENTS },
      { id: 'ours', concurrency: 16, label: 'ours (fixed concurrency 16)', events: LATENCY_EVENTS },
      {
        id: 'official-serial',
        label: '@goauthentik/api one by one',
        events: SERIAL_LATENCY_EVENTS,
      },
      { id: 'official-all', label: '@goauthentik/api Promise.all', events: LATENCY_EVENTS },
    ],
  },
];

async function runVariant(fake, variant) {
  await fake.clear();
  const fakeCpuStart = processCpuMs(fake.pid);
  const args = [variant.id, fake.url, fake.token, String(variant.events)];
  if (variant.concurrency) args.push(String(variant.concurrency));
  // The default delivery is from a worker thread; `delivery: 'in-process'` sends from the
  // event loop (no thread hand-offs), for comparison.
  const env = variant.delivery ? { BENCH_DELIVERY: variant.delivery } : undefined;
  const result = await runNode(CHILD, args, { cpus: SENDER_CPU, env });
  const { stored } = await fake.counts();
  return {
    ...result,
    stored,
    fakeCpuUsPerEvent: ((processCpuMs(fake.pid) - fakeCpuStart) * 1000) / variant.events,
  };
}

async function runScenario(scenario) {
  const fake = await startFake({ latencyMs: scenario.latencyMs, cpus: FAKE_CPU });
  const runs = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? scenario.variants : [...scenario.variants].reverse();
      for (const variant of order) {
        const result = await runVariant(fake, variant);
        runs.push({ round, label: variant.label, ...result });
        const failures = Object.entries(result.failures).map(([kind, count]) => `${count} ${kind}`);
        console.log(
          `  ${scenario.name} round ${round} ${variant.label.padEnd(38)} ${formatNumber(result.eventsPerSecond).padStart(7)} events/s  ${result.cpuUsPerEvent.toFixed(1)} µs CPU/event  delivered ${result.delivered}/${result.count} stored ${result.stored}${failures.length ? `  failures: ${failures.join(', ')}` : ''}`,
        );
      }
    }
  } finally {
    await fake.close();
  }
  const baselineLabel = scenario.variants.find((variant) => variant.id === scenario.baseline).label;
  const rows = scenario.variants.map((variant) => {
    const list = runs.filter((run) => run.label === variant.label);
    const perRound = (pick) =>
      list.map(
        (run) =>
          pick(run) /
          pick(runs.find((other) => other.round === run.round && other.label === baselineLabel)),
      );
    const failures = {};
    for (const run of list)
      for (const [kind, count] of Object.entries(run.failures))
        failures[kind] = (failures[kind] ?? 0) + count;
    return {
      scenario: scenario.name,
      label: variant.label,
      events: variant.events,
      eventsPerSecond: median(list.map((run) => run.eventsPerSecond)),
      rateVsSerial: median(perRound((run) => run.eventsPerSecond)),
      cpuUsPerEvent: median(list.map((run) => run.cpuUsPerEvent)),
      cpuVsSerial: median(perRound((run) => run.cpuUsPerEvent)),
      fakeCpuUsPerEvent: median(list.map((run) => run.fakeCpuUsPerEvent)),
      peakRssMiB: median(list.map((run) => run.peakRss)) / 1024 / 1024,
      failures,
      failedRuns: list.filter((run) => run.delivered !== run.count).length,
      storedMatches: list.every((run) => run.stored === run.delivered),
    };
  });
  return { rows, runs };
}

function targets(rows) {
  const row = (label) =>
    rows.find((entry) => entry.scenario === 'no faults' && entry.label.startsWith(label));
  const ours = row('ours');
  const all = row('@goauthentik/api Promise.all');
  const totalFailures = Object.values(ours.failures).reduce((sum, value) => sum + value, 0);
  return [
    {
      target: '>= 5x the official client one by one (events/s)',
      measured: formatRatio(ours.rateVsSerial),
      met: ours.rateVsSerial >= 5,
    },
    {
      target: '>= the official client with Promise.all (events/s)',
      measured: `${formatRatio(ours.rateVsSerial)} vs ${formatRatio(all.rateVsSerial)}`,
      met: ours.rateVsSerial >= all.rateVsSerial,
    },
    {
      target: 'zero failures',
      measured: `${totalFailures} failures in ${ROUNDS} rounds`,
      met: totalFailures === 0 && ours.storedMatches,
    },
  ];
}

async function main() {
  console.log(
    `delivery throughput: ${ROUNDS} rounds, ${EVENTS} events (one by one ${SERIAL_EVENTS}; latency case ${LATENCY_EVENTS}, one by one ${SERIAL_LATENCY_EVENTS}); ${canPin() ? `sender on CPU ${SENDER_CPU}, fake on CPU ${FAKE_CPU}` : 'not pinned'}; load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const rows = [];
  const runs = [];
  for (const scenario of SCENARIOS) {
    const result = await runScenario(scenario);
    rows.push(...result.rows);
    runs.push(...result.runs.map((run) => ({ scenario: scenario.name, ...run })));
  }
  printTable(
    'Delivery (medians; ratios are per round against the official client one by one in the same scenario)',
    [
      ['scenario', (row) => row.scenario],
      ['variant', (row) => row.label],
      ['events', (row) => formatNumber(row.events)],
      ['events/s', (row) => formatNumber(row.eventsPerSecond)],
      ['rate vs one by one', (row) => formatRatio(row.rateVsSerial)],
      ['CPU µs/event', (row) => formatNumber(row.cpuUsPerEvent, 1)],
      ['CPU vs one by one', (row) => formatRatio(row.cpuVsSerial)],
      ['fake CPU µs/event', (row) => formatNumber(row.fakeCpuUsPerEvent, 1)],
      ['peak RSS', (row) => `${row.peakRssMiB.toFixed(0)} MiB`],
      [
        'failures (all rounds)',
        (row) =>
          Object.keys(row.failures).length
            ? Object.entries(row.failures)
                .map(([kind, count]) => `${count} ${kind}`)
                .join('; ')
            : 'none',
      ],
    ],
    rows,
  );
  const checks = targets(rows);
  printTable(
    'Targets (no faults)',
    [
      ['target', (row) => row.target],
      ['measured', (row) => row.measured],
      ['met', (row) => (row.met ? 'met' : 'NOT met')],
    ],
    checks,
  );
  writeResult('delivery-throughput', {
    settings: {
      rounds: ROUNDS,
      events: EVENTS,
      serialEvents: SERIAL_EVENTS,
      latencyMs: LATENCY_MS,
      latencyEvents: LATENCY_EVENTS,
      serialLatencyEvents: SERIAL_LATENCY_EVENTS,
    },
    summary: rows,
    targets: checks,
    runs,
  });
}

await main();
