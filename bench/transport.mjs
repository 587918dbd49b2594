// The transport decision: node:http with a keep-alive Agent (what the core uses, no runtime
// dependency) against undici's Pool, both with 4 connections and 4 requests in flight,
// delivering the same events to the local authentik test double. Each variant runs in its own
// process; they alternate within each round; medians.
//
//   node bench/transport.mjs   (BENCH_ROUNDS, BENCH_TRANSPORT_EVENTS)

import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { canPin, runNode } from './lib/children.mjs';
import { processCpuMs } from './lib/cpu.mjs';
import { startFake } from './lib/fake.mjs';
import { envNumber, printTable, writeResult } from './lib/report.mjs';
import { formatNumber, formatRatio, median } from './lib/stats.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const EVENTS = envNumber('BENCH_TRANSPORT_EVENTS', 10_000);
const CHILD = fileURLToPath(new URL('./lib/transport-process.mjs', import.meta.url));
const VARIANTS = [
  { id: 'node-http', label: 'node:http, keep-alive Agent (maxSockets 4)' },
  { id: 'undici-pool', label: 'undici Pool (connections 4)' },
];
const BASELINE = 'node-http';
// The sender and the fake on a core each (where the machine allows: see lib/children.mjs).
const SENDER_CPU = '0';
const FAKE_CPU = '1';

async function main() {
  console.log(
    `transport: ${ROUNDS} rounds x ${formatNumber(EVENTS)} events per variant; ${canPin() ? `sender on CPU ${SENDER_CPU}, fake on CPU ${FAKE_CPU}` : 'not pinned'}; load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const fake = await startFake({ cpus: FAKE_CPU });
  const runs = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const variant of round % 2 ? VARIANTS : [...VARIANTS].reverse()) {
        await fake.clear();
        const fakeCpuStart = processCpuMs(fake.pid);
        const result = await runNode(CHILD, [variant.id, fake.url, fake.token, String(EVENTS)], {
          cpus: SENDER_CPU,
        });
        const { stored } = await fake.counts();
        const run = {
          round,
          ...result,
          label: variant.label,
          stored,
          fakeCpuUsPerEvent: ((processCpuMs(fake.pid) - fakeCpuStart) * 1000) / EVENTS,
        };
        runs.push(run);
        console.log(
          `  round ${round} ${variant.label.padEnd(44)} ${formatNumber(run.eventsPerSecond).padStart(7)} events/s  ${run.cpuUsPerEvent.toFixed(1)} µs CPU/event  statuses ${JSON.stringify(run.statuses)} stored ${stored}`,
        );
      }
    }
  } finally {
    await fake.close();
  }
  const rows = VARIANTS.map((variant) => {
    const list = runs.filter((run) => run.variant === variant.id);
    const perRound = (pick) =>
      list.map(
        (run) =>
          pick(run) /
          pick(runs.find((other) => other.round === run.round && other.variant === BASELINE)),
      );
    return {
      label: variant.label,
      eventsPerSecond: median(list.map((run) => run.eventsPerSecond)),
      rateVsNodeHttp: median(perRound((run) => run.eventsPerSecond)),
      cpuUsPerEvent: median(list.map((run) => run.cpuUsPerEvent)),
      cpuVsNodeHttp: median(perRound((run) => run.cpuUsPerEvent)),
      fakeCpuUsPerEvent: median(list.map((run) => run.fakeCpuUsPerEvent)),
      allCreated: list.every((run) => run.statuses['201'] === EVENTS && run.stored === EVENTS),
    };
  });
  printTable(
    'Transport (medians; ratios per round against node:http in the same round)',
    [
      ['transport', (row) => row.label],
      ['events/s', (row) => formatNumber(row.eventsPerSecond)],
      ['rate vs node:http', (row) => formatRatio(row.rateVsNodeHttp)],
      ['CPU µs/event', (row) => formatNumber(row.cpuUsPerEvent, 1)],
      ['CPU vs node:http', (row) => formatRatio(row.cpuVsNodeHttp)],
      ['fake CPU µs/event', (row) => formatNumber(row.fakeCpuUsPerEvent, 1)],
      ['all 201 and stored', (row) => (row.allCreated ? 'yes' : 'NO')],
    ],
    rows,
  );
  const undici = rows[1];
  const verdict =
    undici.rateVsNodeHttp > 1.15
      ? `undici delivers ${((undici.rateVsNodeHttp - 1) * 100).toFixed(0)}% more events/s than node:http: more than the 15% that would justify the dependency`
      : undici.rateVsNodeHttp >= 1
        ? `undici delivers ${((undici.rateVsNodeHttp - 1) * 100).toFixed(0)}% more events/s than node:http: within the 15% that would justify the dependency on its own (the core uses undici: see bench/README.md, transport)`
        : `node:http delivers ${((1 / undici.rateVsNodeHttp - 1) * 100).toFixed(0)}% more events/s than undici: the choice of undici should be revisited`;
  console.log(
    `\n${verdict}; CPU per event: undici ${formatRatio(undici.cpuVsNodeHttp)} of node:http`,
  );
  writeResult('transport', {
    settings: { rounds: ROUNDS, events: EVENTS },
    summary: rows,
    verdict,
    runs,
  });
}

await main();
