// The plugin's own work on the request path, without sockets: what request-overhead.mjs
// cannot resolve on a noisy machine (a few µs per request). One process; each task runs
// OPS operations and is timed by the process's CPU time (process.cpuUsage), which other
// processes on a shared machine cannot inflate the way they inflate wall-clock time. Tasks
// alternate within each round; medians over rounds.
//
// The client points at a closed port and the loop never yields to the event loop, so nothing
// is sent: what is measured is mapping + emit (checks, snapshot, size estimate, UUID,
// queueing). Overflow is 'drop-oldest', so every emit is queued in full and memory stays at a
// steady state, in two regimes:
//   - "short queue" (64 events): events die young, as when the sender keeps up;
//   - "full queue" (the default 10 000): events live long, as when authentik is slow;
//   - "shedding": the default overflow (drop-newest) with a full queue: under overload every
//     new event is refused, and counted, before it is built.
// A request that autoLog.sample leaves out is measured too (a build without that option skips it).
//
// This workspace has @opentelemetry/api installed (a dev dependency), so every request asks it
// for an active span (there is none: no tracer is registered). An app without the package:
//   NODE_OPTIONS="--require ./test/tracing/support/hide-optional-peers.cjs" node bench/request-path.mjs …
//
//   node bench/request-path.mjs                                 this build
//   node bench/request-path.mjs --baseline <other core index.js> this build vs another, alternating
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as current from '@authentik-events/core';
import { envNumber, printTable, writeResult } from './lib/report.mjs';
import { formatNumber, formatRatio, median } from './lib/stats.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 5);
const BATCH = 100;
const OPS = envNumber('BENCH_OPS', 200_000);
const DEAD_URL = 'http://127.0.0.1:9'; // the discard port: nothing listens there
const QUEUES = { short: 64, full: 10_000, shedding: 64 };

const { values: cli } = parseArgs({ options: { baseline: { type: 'string' } } });
const builds = [{ name: 'current', core: current }];
if (cli.baseline)
  builds.unshift({ name: 'baseline', core: await import(pathToFileURL(cli.baseline).href) });

/** An Express-shaped request as a plain object; a quarter of them (or all) carry a query string. */
function makeRequest(index, everyQuery = false) {
  return {
    method: 'GET',
    originalUrl: everyQuery || index % 4 === 0 ? '/orders/42?page=2&sort=desc' : '/orders/42',
    ip: '127.0.0.1',
    hostname: 'localhost',
    headers: { 'user-agent': 'autocannon', host: 'localhost:3000', accept: '*/*' },
    app: { get: () => false },
  };
}

/** Read the way the Express adapter reads a request. */
const reader = {
  method: (req) => req.method,
  url: (req) => req.originalUrl,
  ip: (req) => req.ip,
  host: (req) => req.hostname,
  header: (req, name) => req.headers[name],
  user: (req) => req.user,
  trustsProxy: (req) => Boolean(req.app.get('trust proxy')),
};

const REQUESTS = Array.from({ length: BATCH }, (_, index) => makeRequest(index));
const QUERY_REQUESTS = Array.from({ length: BATCH }, (_, index) => makeRequest(index, true));

const typicalEvent = () => ({
  action: 'custom_http_request',
  clientIp: '127.0.0.1',
  context: {
    status: 200,
    duration_ms: 0.42,
    http_request: {
      path: '/orders/42',
      method: 'GET',
      user_agent: 'autocannon',
      request_id: '5f0c9a52-8f0e-4a5e-9d63-2b1f1a3c7d10',
    },
  },
});

function newClient(core, queue) {
  return core.createEventClient({
    url: DEAD_URL,
    token: 'bench',
    app: 'bench',
    // 'shedding': the default overflow (drop-newest) with a queue that stays full, as under
    // overload: every new request's event is refused (and counted) before it is built.
    overflow: queue === 'shedding' ? 'drop-newest' : 'drop-oldest',
    maxQueueSize: QUEUES[queue],
    onError: () => {},
  });
}

function recordRequests(core, queue, autoLog, requests = REQUESTS) {
  const client = newClient(core, queue);
  const recorder = core.createRecorder({ client, autoLog }, reader, 'bench');
  return {
    client,
    run() {
      for (const req of requests) recorder.start(req).finish(200);
    },
  };
}

function emitEvents(core, queue) {
  const client = newClient(core, queue);
  // A new event object per call, as an app makes them.
  return {
    client,
    run() {
      for (let index = 0; index < BATCH; index++) client.emit(typicalEvent());
    },
  };
}

/** [name, (core) => { client, run() }]; run() does BATCH operations. */
const TASKS = [
  ['request recorded (autoLog on), short queue', (core) => recordRequests(core, 'short', true)],
  ['request recorded (autoLog on), full queue', (core) => recordRequests(core, 'full', true)],
  [
    'request recorded, short queue, every URL with a query',
    (core) => recordRequests(core, 'short', true, QUERY_REQUESTS),
  ],
  [
    'request shed (queue full, drop-newest: the default overload)',
    (core) => recordRequests(core, 'shedding', true),
  ],
  ['request not recorded (autoLog: false)', (core) => recordRequests(core, 'short', false)],
  [
    'request sampled out (autoLog: { sample: 0 }; not in older builds)',
    (core) => recordRequests(core, 'short', { sample: 0 }),
  ],
  ['client.emit(new typical event), short queue', (core) => emitEvents(core, 'short')],
  ['client.emit(new typical event), full queue', (core) => emitEvents(core, 'full')],
  [
    'JSON.stringify(new typical event) (yardstick)',
    () => {
      let length = 0;
      return {
        run() {
          for (let index = 0; index < BATCH; index++)
            length += JSON.stringify(typicalEvent()).length;
          return length;
        },
      };
    },
  ],
];
const YARDSTICK = TASKS[TASKS.length - 1][0];

function timed(run, operations) {
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  for (let done = 0; done < operations; done += BATCH) run();
  const used = process.cpuUsage(cpu);
  return { cpuNs: (used.user + used.system) * 1000, wallNs: (performance.now() - startedAt) * 1e6 };
}

/** Runs one task on one build; `undefined` when the build does not have the task's options. */
async function measureTask([name, make], build) {
  let state;
  try {
    state = make(build.core);
  } catch (error) {
    if (error?.code === 'ERR_AUTHENTIK_EVENTS_CONFIG') return undefined;
    throw error;
  }
  timed(state.run, Math.min(OPS, 50_000)); // warm-up: JIT, and the queue at its steady size
  const { cpuNs, wallNs } = timed(state.run, OPS);
  if (state.client) {
    const { emitted, queued, dropped } = state.client.stats();
    // Everything emitted is either queued or pushed out by a newer event: nothing refused.
    if (emitted !== queued + dropped.queue_full)
      throw new Error(`${name}: events were refused; the measurement is not of the queueing path`);
    await state.client.close({ timeoutMs: 0 });
  }
  return { name, build: build.name, nsPerOp: cpuNs / OPS, wallNsPerOp: wallNs / OPS };
}

async function main() {
  console.log(
    `request path: ${ROUNDS} rounds x ${OPS} operations per task, alternating, timed by CPU time${cli.baseline ? `; baseline ${cli.baseline}` : ''}`,
  );
  const results = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? TASKS : [...TASKS].reverse();
    for (const task of order) {
      const buildOrder = round % 2 ? builds : [...builds].reverse();
      for (const build of buildOrder) {
        const result = await measureTask(task, build);
        if (result === undefined) continue;
        results.push({ round, ...result });
        console.log(
          `  round ${round} ${build.name.padEnd(8)} ${result.name.padEnd(54)} ${formatNumber(result.nsPerOp).padStart(6)} ns/op CPU`,
        );
      }
    }
  }
  const find = (round, name, build) =>
    results.find(
      (result) => result.round === round && result.name === name && result.build === build,
    );
  const rows = TASKS.map(([name]) => {
    const row = { name };
    for (const build of builds) {
      const list = results.filter((result) => result.name === name && result.build === build.name);
      row[build.name] = median(list.map((result) => result.nsPerOp));
      row[`${build.name}VsStringify`] = median(
        list.map((result) => result.nsPerOp / find(result.round, YARDSTICK, build.name).nsPerOp),
      );
    }
    if (cli.baseline) {
      // Per-round ratios of the same task, then their median: < 1 means the current build is cheaper.
      const ratios = results
        .filter((result) => result.name === name && result.build === 'current')
        .map((result) => result.nsPerOp / find(result.round, name, 'baseline')?.nsPerOp);
      row.currentVsBaseline = median(ratios);
    }
    return row;
  });
  const columns = [['operation', (row) => row.name]];
  for (const build of builds) {
    columns.push([`${build.name} CPU ns/op`, (row) => formatNumber(row[build.name])]);
    columns.push([
      `${build.name} vs stringify`,
      (row) => formatRatio(row[`${build.name}VsStringify`]),
    ]);
  }
  if (cli.baseline)
    columns.push(['current / baseline', (row) => formatRatio(row.currentVsBaseline)]);
  printTable(
    'Request path (medians of rounds): CPU time per operation; the yardstick is JSON.stringify of the same event',
    columns,
    rows,
  );
  writeResult(cli.baseline ? 'request-path-compare' : 'request-path', {
    settings: { rounds: ROUNDS, operations: OPS, queues: QUEUES, baseline: cli.baseline ?? null },
    summary: rows,
    runs: results,
  });
}

await main();
