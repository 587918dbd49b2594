// Are audit events kept at saturation? A hello-world app (Express 5, Koa 3, Fastify 5) with
// the plugin (autoLog on, default options) pinned to CPU 0, loaded by 50 autocannon connections
// in a closed loop on CPU 1, delivering to the local authentik test double (also on CPU 1) that
// answers each event after 5 ms. One request in 100 also emits an audit event (a failed login).
// At this load the queue fills: request logs must be shed, audit events kept, through close()
// (2 s, as app-kit's CLOSE_TIMEOUT_MS) included.
//
// Two variants per framework, side by side in each round: `audit` (the app's events are audit
// events, the default) and `one class` (the control: the same events marked `request_log`, so
// they are treated as request logs are, as every event was before there were two classes).
//
//   node bench/priorities.mjs   (BENCH_ROUNDS, BENCH_SECONDS, BENCH_FRAMEWORKS,
//                                BENCH_MAX_QUEUE_SIZE; see bench/README.md)
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { canPin, startNode } from './lib/children.mjs';
import { startFake } from './lib/fake.mjs';
import { envNumber, envString, printTable, writeResult } from './lib/report.mjs';
import { formatNumber } from './lib/stats.mjs';

const ROUNDS = envNumber('BENCH_ROUNDS', 1);
const SECONDS = envNumber('BENCH_SECONDS', 5);
const WARMUP_SECONDS = 1;
const CONNECTIONS = 50;
const AUDIT_EVERY = 100;
const STAND_IN_MS = 5;
const APP_CPU = '0';
const LOAD_CPU = '1';
const FRAMEWORKS = envString('BENCH_FRAMEWORKS', 'express,koa,fastify').split(',');
const MARKS = ['audit', 'request_log'];
/** The queue's size (`maxQueueSize`): the plugin's default (10000) unless BENCH_MAX_QUEUE_SIZE is set. */
const MAX_QUEUE_SIZE = envNumber('BENCH_MAX_QUEUE_SIZE', 0);

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const APP = here('./apps/audit-app.mjs');
const LOAD = here('./lib/load-process.mjs');

async function measure(fake, framework, mark, round) {
  await fake.clear();
  const app = startNode(
    APP,
    ['autolog', fake.url, fake.token, framework, String(AUDIT_EVERY), mark, String(MAX_QUEUE_SIZE)],
    { cpus: APP_CPU },
  );
  const port = await app.ready();
  const load = startNode(
    LOAD,
    [`http://127.0.0.1:${port}/`, String(CONNECTIONS), String(SECONDS), String(WARMUP_SECONDS)],
    { cpus: LOAD_CPU },
  );
  const result = await load.result(SECONDS * 1000 + 60_000);
  await load.exited;
  await app.stop('SIGTERM');
  const auditEmitted = Number(await app.waitFor('AUDIT'));
  const { stats, closeReport } = await app.result();
  // Requests that close() aborted after the fake had taken them may still be stored.
  await sleep(1000);
  const stored = await fake.classes();
  const run = {
    framework,
    mark,
    round,
    requestsPerSecond: result.requestsPerSecond,
    totalRequests: result.totalRequests,
    auditEmitted,
    auditStored: stored.auditDistinct,
    auditDuplicates: stored.auditStored - stored.auditDistinct,
    requestLogsStored: stored.requestLogs,
    stats,
    closeReport,
  };
  console.log(
    `  round ${round} ${framework.padEnd(7)} ${label(mark).padEnd(9)} ${formatNumber(run.requestsPerSecond).padStart(7)} req/s  audit emitted ${auditEmitted} stored ${stored.auditDistinct}  request logs stored ${stored.requestLogs}`,
  );
  return run;
}

function label(mark) {
  return mark === 'audit' ? 'audit' : 'one class';
}

/**
 * A count of the client's, by class. In the control the route's events are counted among the
 * request logs, so the client cannot tell them apart: only what the stand-in stored can.
 */
const counted = (run, pick) => (run.mark === 'audit' ? pick(run.stats.byClass) : '—');
/** Request logs the client counted as emitted (in the control, without the route's events). */
function requestLogsEmitted(run) {
  const own = run.mark === 'request_log' ? run.auditEmitted : 0;
  return run.stats.byClass.request_log.emitted - own;
}

console.log(
  `priorities at saturation: ${CONNECTIONS} connections, a ${STAND_IN_MS} ms stand-in, 1 request in ${AUDIT_EVERY} emits an audit event, ${SECONDS} s after ${WARMUP_SECONDS} s of warm-up, ${ROUNDS} round(s), queue of ${MAX_QUEUE_SIZE || 'the default 10000'} events${canPin() ? `; app on CPU ${APP_CPU}, load and stand-in on CPU ${LOAD_CPU}` : '; not pinned'}`,
);
const fake = await startFake({ latencyMs: STAND_IN_MS, cpus: canPin() ? LOAD_CPU : undefined });
const runs = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const framework of FRAMEWORKS) {
      const marks = round % 2 === 0 ? [...MARKS].reverse() : MARKS;
      for (const mark of marks) runs.push(await measure(fake, framework, mark, round));
    }
  }
} finally {
  await fake.close();
}

printTable(
  "The app's audit events (failed logins): emitted by the route, stored by the stand-in (distinct), lost as the client counted them",
  [
    ['framework', (run) => run.framework],
    ['variant', (run) => label(run.mark)],
    ['round', (run) => run.round],
    ['req/s', (run) => formatNumber(run.requestsPerSecond)],
    ['audit emitted', (run) => run.auditEmitted],
    ['audit stored', (run) => run.auditStored],
    ['stored/emitted', (run) => (run.auditStored / Math.max(1, run.auditEmitted)).toFixed(3)],
    ['lost', (run) => run.auditEmitted - run.auditStored],
    ['shed (client)', (run) => counted(run, (byClass) => byClass.audit.dropped.queue_full)],
    ['closed (client)', (run) => counted(run, (byClass) => byClass.audit.dropped.closed)],
    ['every one stored', (run) => (run.auditStored === run.auditEmitted ? 'yes' : 'NO')],
  ],
  runs,
);
printTable(
  'Request logs (autoLog): emitted, stored, shed under overload (queue_full) and dropped at close as the client counted them',
  [
    ['framework', (run) => run.framework],
    ['variant', (run) => label(run.mark)],
    ['round', (run) => run.round],
    ['emitted', (run) => requestLogsEmitted(run)],
    ['stored', (run) => run.requestLogsStored],
    ['shed', (run) => counted(run, (byClass) => byClass.request_log.dropped.queue_full)],
    ['closed', (run) => counted(run, (byClass) => byClass.request_log.dropped.closed)],
    [
      'stored share',
      (run) => (run.requestLogsStored / Math.max(1, requestLogsEmitted(run))).toFixed(3),
    ],
  ],
  runs,
);
writeResult('priorities', {
  settings: { ROUNDS, SECONDS, CONNECTIONS, AUDIT_EVERY, STAND_IN_MS, FRAMEWORKS, MAX_QUEUE_SIZE },
  runs,
});
const missed = runs.filter((run) => run.mark === 'audit' && run.auditStored !== run.auditEmitted);
if (missed.length > 0) {
  console.log(`\naudit events lost in ${missed.length} run(s) with two classes`);
  process.exitCode = 1;
}
