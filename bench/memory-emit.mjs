// 1. Memory while authentik is down: 1 000 000 emits to a client whose URL is a closed port.
//    Each configuration runs in its own process (clean baseline); the peak RSS above the
//    baseline must stay within maxQueueBytes plus what the same emits cost with nothing kept
//    (the control run: garbage, young generation), and every refused event is counted.
// 2. The cost of emit, with tinybench: events/s into the queue for a typical request event,
//    next to JSON.stringify of the same payload. The client has a dead URL and a queue large
//    enough that nothing is refused, and tinybench never yields to the event loop within a
//    task, so nothing is sent during the measurement.
//
//   node bench/memory-emit.mjs   (BENCH_ROUNDS, BENCH_EMITS)
import { fileURLToPath } from 'node:url';
import { createEventClient } from '@authentik-events/core';
import { Bench } from 'tinybench';
import { runNode } from './lib/children.mjs';
import { deadUrl } from './lib/dead-url.mjs';
import { MEMORY_CONFIGS } from './lib/memory-configs.mjs';
import { envNumber, printTable, writeResult } from './lib/report.mjs';
import { formatNumber, formatRatio, median, mib } from './lib/stats.mjs';
import { typicalEvent } from './lib/typical-event.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 3);
const EMITS = envNumber('BENCH_EMITS', 1_000_000);
const CHILD = fileURLToPath(new URL('./lib/memory-process.mjs', import.meta.url));
/** Slack on top of maxQueueBytes + the control's peak: allocator and page granularity. */
const SLACK_BYTES = 4 * 1024 * 1024;

async function memoryRuns(url) {
  const runs = [];
  const ids = Object.keys(MEMORY_CONFIGS);
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? ids : [...ids].reverse();
    for (const id of order) {
      const result = await runNode(CHILD, [id, url, String(EMITS)], { execArgv: ['--expose-gc'] });
      runs.push({ round, ...result });
      console.log(
        `  round ${round} ${MEMORY_CONFIGS[id].label.padEnd(48)} peak +${mib(result.peakAboveBaseline)}  queued ${result.stats.queued}  queue_full ${result.stats.dropped.queue_full}`,
      );
    }
  }
  const rows = ids.map((id) => {
    const list = runs.filter((run) => run.config === id);
    const control = median(
      runs.filter((run) => run.config === 'control').map((run) => run.peakAboveBaseline),
    );
    const peak = median(list.map((run) => run.peakAboveBaseline));
    const { limits } = list[0];
    // drop-newest: everything that did not fit is refused and counted, nothing else is lost.
    const exact = list.every((run) => {
      const { emitted, queued, inFlight, delivered, dropped } = run.stats;
      const otherDrops = Object.entries(dropped).filter(
        ([reason, count]) => reason !== 'queue_full' && count > 0,
      );
      return (
        emitted === EMITS &&
        inFlight === 0 &&
        delivered === 0 &&
        otherDrops.length === 0 &&
        dropped.queue_full === emitted - queued
      );
    });
    const countBound = id === 'count-bound' || id === 'control';
    return {
      id,
      label: MEMORY_CONFIGS[id].label,
      peakAboveBaseline: peak,
      queueShare: peak - control,
      maxQueueBytes: limits.maxQueueBytes,
      queued: median(list.map((run) => run.stats.queued)),
      queuedBytes: median(list.map((run) => run.stats.queuedBytes)),
      queueFull: median(list.map((run) => run.stats.dropped.queue_full)),
      expectedQueueFull: countBound ? EMITS - limits.maxQueueSize : undefined,
      countsExact:
        exact &&
        (!countBound ||
          list.every((run) => run.stats.dropped.queue_full === EMITS - limits.maxQueueSize)),
      withinBound: peak <= limits.maxQueueBytes + control + SLACK_BYTES,
      cpuNsPerEmit: median(list.map((run) => run.cpuNsPerEmit)),
      // What a queued event really holds on the heap, next to what the byte bound counts for it.
      liveHeap: median(list.map((run) => run.liveHeapAboveBaseline)),
      liveBytesPerQueued: median(list.map((run) => run.liveHeapAboveBaseline / run.stats.queued)),
      estimatedBytesPerQueued: median(list.map((run) => run.stats.queuedBytes / run.stats.queued)),
    };
  });
  return { rows, runs };
}

const BATCH = 100;

function newQueueClient(url) {
  return createEventClient({
    url,
    token: 'bench',
    app: 'bench',
    maxQueueSize: 100_000_000,
    maxQueueBytes: 2 ** 42,
    onError: () => {},
  });
}

/** tinybench: emit vs JSON.stringify of the same events, BATCH per call (the timer's cost is negligible). */
async function emitCost(url) {
  const events = Array.from({ length: 1_000 }, (_, index) => typicalEvent(index));
  const runs = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const client = newQueueClient(url);
    let cursor = 0;
    let length = 0;
    const bench = new Bench({ time: 500, warmupTime: 100 });
    const emitTask = [
      'client.emit(typical request event)',
      () => {
        for (let index = 0; index < BATCH; index++) client.emit(events[cursor++ % events.length]);
      },
    ];
    const stringifyTask = [
      'JSON.stringify(same event) (yardstick)',
      () => {
        for (let index = 0; index < BATCH; index++)
          length += JSON.stringify(events[cursor++ % events.length]).length;
      },
    ];
    for (const [name, fn] of round % 2 ? [emitTask, stringifyTask] : [stringifyTask, emitTask])
      bench.add(name, fn);
    await bench.run();
    const { emitted, queued } = client.stats();
    if (emitted !== queued)
      throw new Error(`${emitted - queued} events were refused or sent during the measurement`);
    for (const task of bench.tasks) {
      runs.push({
        round,
        name: task.name,
        eventsPerSecond: (BATCH * 1000) / task.result.latency.mean,
        eventsPerSecondMedianSample: (BATCH * 1000) / task.result.latency.p50,
        samples: task.runs,
      });
    }
    await client.close({ timeoutMs: 0 });
    if (length < 0) console.log(length);
  }
  const names = [...new Set(runs.map((run) => run.name))];
  const yardstick = names.find((name) => name.startsWith('JSON.stringify'));
  const rows = names.map((name) => {
    const list = runs.filter((run) => run.name === name);
    return {
      name,
      eventsPerSecond: median(list.map((run) => run.eventsPerSecond)),
      eventsPerSecondMedianSample: median(list.map((run) => run.eventsPerSecondMedianSample)),
      vsStringify: median(
        list.map(
          (run) =>
            run.eventsPerSecond /
            runs.find((other) => other.round === run.round && other.name === yardstick)
              .eventsPerSecond,
        ),
      ),
    };
  });
  return { rows, runs };
}

async function main() {
  const url = await deadUrl();
  console.log(
    `memory and emit cost: ${ROUNDS} rounds, ${formatNumber(EMITS)} emits per memory run, server down (${url})`,
  );
  const memory = await memoryRuns(url);
  printTable(
    `Memory: ${formatNumber(EMITS)} emits while the server is down (drop-newest); medians of ${ROUNDS} processes`,
    [
      ['configuration', (row) => row.label],
      ['peak RSS above baseline', (row) => mib(row.peakAboveBaseline)],
      ['minus control', (row) => (row.id === 'control' ? '-' : mib(row.queueShare))],
      ['maxQueueBytes', (row) => mib(row.maxQueueBytes)],
      ['queue live heap', (row) => (row.id === 'control' ? '-' : mib(row.liveHeap))],
      [
        'live <= maxQueueBytes',
        (row) => (row.id === 'control' ? '-' : row.liveHeap <= row.maxQueueBytes ? 'yes' : 'NO'),
      ],
      ['RSS within bound', (row) => (row.withinBound ? 'yes' : 'NO')],
      ['queued', (row) => formatNumber(row.queued)],
      ['queuedBytes (estimate)', (row) => mib(row.queuedBytes)],
      ['dropped queue_full', (row) => formatNumber(row.queueFull)],
      [
        'expected',
        (row) =>
          row.expectedQueueFull === undefined
            ? `${formatNumber(EMITS)} - queued`
            : formatNumber(row.expectedQueueFull),
      ],
      ['exact', (row) => (row.countsExact ? 'yes' : 'NO')],
      ['CPU ns/emit', (row) => formatNumber(row.cpuNsPerEmit)],
      [
        'live heap B/queued event',
        (row) => (row.id === 'control' ? '-' : formatNumber(row.liveBytesPerQueued)),
      ],
      [
        'estimate B/queued event',
        (row) => (row.id === 'control' ? '-' : formatNumber(row.estimatedBytesPerQueued)),
      ],
    ],
    memory.rows,
  );
  console.log(
    `"RSS within bound": peak above baseline <= maxQueueBytes + the control's peak + ${mib(SLACK_BYTES)}; "queue live heap": the heap still in use after a full GC, above the baseline`,
  );
  const cost = await emitCost(url);
  printTable(
    'Emit cost (tinybench, medians of rounds; dead URL, queue large enough that nothing is refused)',
    [
      ['operation', (row) => row.name],
      ['events/s (mean)', (row) => formatNumber(row.eventsPerSecond)],
      ['events/s (median sample)', (row) => formatNumber(row.eventsPerSecondMedianSample)],
      ['vs JSON.stringify', (row) => formatRatio(row.vsStringify)],
    ],
    cost.rows,
  );
  writeResult('memory-emit', {
    settings: {
      rounds: ROUNDS,
      emits: EMITS,
      slackBytes: SLACK_BYTES,
      emitCostClient: 'dead URL (closed port), maxQueueSize 100 000 000',
    },
    memory: memory.rows,
    emitCost: cost.rows,
    runs: { memory: memory.runs, emitCost: cost.runs },
  });
}

await main();
