// Soak: an Express 5 app with the middleware (defaults, autoLog on) under a fixed rate from
// autocannon, 1 request in 20 also emitting `login`, while the local authentik test double (a
// process of its own) goes down (connections destroyed) and up again every period. Samples the
// client's stats() every second and reports, per run: events, delivered, dropped by reason,
// up-windows in which nothing was delivered although events were waiting, and the longest
// stretch of up-time without a delivery. Exits 1 when a run had a silent up-window or lost an
// event without counting it.
//
//   npm run build && node bench/soak-flapping.mjs                      # one 60 s run
//   SOAK_RUNS=20 SOAK_SECONDS=45 SOAK_DELIVERY=background,in-process nice -n 10 node bench/soak-flapping.mjs
//
// Settings (environment, or `--name=value` arguments with the same names in lower case without
// SOAK_, e.g. --seconds=45 --delivery=in-process):
//   SOAK_SECONDS      load duration per run (default 60; the run was 150)
//   SOAK_RATE         requests per second, autocannon's overallRate (default 500)
//   SOAK_CONNECTIONS  autocannon connections (default 10)
//   SOAK_PERIOD_MS    time between switches: down for one period, up for the next (default 10000)
//   SOAK_PHASE_MS     first switch (down) this long after the load starts; default: spread over
//                     two periods across the runs
//   SOAK_DELIVERY     delivery mode(s), comma-separated, taken in turn per run: default (the
//                     client's default), background, worker, in-process (default: default)
//   SOAK_RUNS         runs (default 1)
//   SOAK_LOGIN_EVERY  one request in this many also emits `login` (default 20, 5%)
//   SOAK_DRAIN_MS     after the load, the server stays up this long at most for the queue to
//                     drain before the app closes (default 30000)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startNode } from './lib/children.mjs';
import { printTable, writeResult } from './lib/report.mjs';
import { stallFigures, upWindows } from './lib/soak-analysis.mjs';

const FAKE = fileURLToPath(new URL('./lib/flapping-fake.mjs', import.meta.url));
const APP = fileURLToPath(new URL('./lib/soak-app.mjs', import.meta.url));

function setting(name, fallback) {
  const flag = `--${name.toLowerCase().replaceAll('_', '-')}=`;
  const argument = process.argv.slice(2).find((arg) => arg.startsWith(flag));
  return argument?.slice(flag.length) ?? process.env[`SOAK_${name}`] ?? fallback;
}

const seconds = Number(setting('SECONDS', '60'));
const rate = Number(setting('RATE', '500'));
const connections = Number(setting('CONNECTIONS', '10'));
const periodMs = Number(setting('PERIOD_MS', '10000'));
const phaseSetting = setting('PHASE_MS', '');
const deliveries = setting('DELIVERY', 'default').split(',');
const runs = Number(setting('RUNS', '1'));
const loginEvery = Number(setting('LOGIN_EVERY', '20'));
const drainMs = Number(setting('DRAIN_MS', '30000'));
const SAMPLE_MS = 1000;
const CLOSE_TIMEOUT_MS = 30_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startFake() {
  const child = fork(FAKE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`fake exited with ${code}`)));
  });
  let nextId = 1;
  const pending = new Map();
  child.on('message', (message) => {
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  const call = (command, value) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, command, value });
    });
  return {
    url: ready.url,
    token: ready.token,
    flap: (value) => call('flap', value),
    steady: () => call('steady'),
    counts: () => call('counts'),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('close');
      await exited;
    },
  };
}

function load(url) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections, overallRate: rate, duration: seconds, pipelining: 1 },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function run(index) {
  const delivery = deliveries[index % deliveries.length];
  const phaseMs =
    phaseSetting !== ''
      ? Number(phaseSetting)
      : 500 + Math.round(((index * 2 * periodMs) / Math.max(1, runs)) % (2 * periodMs));
  const fake = await startFake();
  const app = startNode(APP, [
    fake.url,
    fake.token,
    delivery,
    String(loginEvery),
    String(SAMPLE_MS),
    String(CLOSE_TIMEOUT_MS),
  ]);
  const port = await app.ready();
  const url = `http://127.0.0.1:${port}/`;
  const loadStart = Date.now();
  await fake.flap({ phaseMs, periodMs });
  const loadResult = await load(url);
  const loadEnd = Date.now();
  await fake.steady();
  // The server stays up now: the queue should drain (a stall here counts like any other).
  const samples = () =>
    app.lines.filter((line) => line.startsWith('SAMPLE ')).map((line) => JSON.parse(line.slice(7)));
  const drainDeadline = Date.now() + drainMs;
  while (Date.now() < drainDeadline) {
    const last = samples().at(-1);
    if (last && last.at > loadEnd && last.queued + last.inFlight === 0) break;
    await sleep(SAMPLE_MS);
  }
  const drainEnd = Date.now();
  await app.stop('SIGTERM');
  const result = JSON.parse(app.lines.find((line) => line.startsWith('RESULT ')).slice(7));
  const counts = await fake.counts();
  await fake.close();

  const timeline = samples().filter((sample) => sample.at <= drainEnd);
  const windows = upWindows(counts.switches, loadStart, drainEnd);
  const figures = stallFigures(timeline, windows);
  const { stats } = result;
  const dropped = Object.fromEntries(Object.entries(stats.dropped).filter(([, n]) => n > 0));
  const droppedTotal = Object.values(stats.dropped).reduce((sum, n) => sum + n, 0);
  const accounted =
    stats.emitted === stats.queued + stats.inFlight + stats.delivered + droppedTotal &&
    stats.queued + stats.inFlight === 0 &&
    counts.stored === stats.delivered;
  const expectedEvents = loadResult.requests.total;
  const row = {
    run: index + 1,
    delivery,
    phaseMs,
    requests: loadResult.requests.total,
    non2xx: loadResult.non2xx,
    emitted: stats.emitted,
    delivered: stats.delivered,
    stored: counts.stored,
    duplicates: counts.copies - counts.stored,
    dropped,
    retried: stats.retried,
    accounted,
    upWindows: windows.length,
    silentWindows: figures.silentWindows.length,
    longestUpWithoutDeliveryMs: Math.round(figures.longestUpWithoutDeliveryMs),
    longestAt: figures.longestAt && {
      fromS: Math.round((figures.longestAt.from - loadStart) / 100) / 10,
      toS: Math.round((figures.longestAt.to - loadStart) / 100) / 10,
    },
    maxHeapMiB: Math.round(Math.max(...timeline.map((s) => s.heapUsed)) / 2 ** 20),
    stallReports: result.errors.ERR_AUTHENTIK_EVENTS_STALLED?.count ?? 0,
    errors: Object.fromEntries(Object.entries(result.errors).map(([code, e]) => [code, e.count])),
    closeMs: result.closeMs,
    expectedAtLeast: expectedEvents,
  };
  console.log(`RUN ${JSON.stringify(row)}`);
  if (row.silentWindows > 0) {
    for (const window of figures.silentWindows) {
      console.log(
        `  silent up-window ${((window.from - loadStart) / 1000).toFixed(1)}..${((window.to - loadStart) / 1000).toFixed(1)} s: delivered ${window.delivered}, queued ${window.queued}, inFlight ${window.inFlight}`,
      );
    }
    const first = result.errors.ERR_AUTHENTIK_EVENTS_STALLED?.first;
    if (first) console.log(`  stall report: ${first}`);
  }
  return {
    row,
    timeline: timeline.map((s) => ({ ...s, t: s.at - loadStart })),
    switches: counts.switches.map((s) => ({ ...s, t: s.at - loadStart })),
  };
}

const results = [];
for (let index = 0; index < runs; index++) results.push(await run(index));

const rows = results.map((result) => result.row);
printTable(
  `Flapping soak: ${rate} req/s for ${seconds} s, ${connections} connections, server down/up every ${periodMs} ms`,
  [
    ['run', (r) => r.run],
    ['delivery', (r) => r.delivery],
    ['phase ms', (r) => r.phaseMs],
    ['events', (r) => r.emitted],
    ['delivered', (r) => r.delivered],
    ['stored', (r) => r.stored],
    ['dropped', (r) => JSON.stringify(r.dropped)],
    ['accounted', (r) => r.accounted],
    ['silent up-windows', (r) => `${r.silentWindows}/${r.upWindows}`],
    ['longest up without delivery ms', (r) => r.longestUpWithoutDeliveryMs],
    ['stall reports', (r) => r.stallReports],
    ['max heap MiB', (r) => r.maxHeapMiB],
  ],
  rows,
);
writeResult('soak-flapping', {
  settings: { seconds, rate, connections, periodMs, deliveries, loginEvery },
  results,
});
const failed = rows.filter((r) => r.silentWindows > 0 || !r.accounted);
console.log(
  `\n${rows.length} runs, ${failed.length} with a silent up-window or an unaccounted event; longest up-time without delivery ${Math.max(...rows.map((r) => r.longestUpWithoutDeliveryMs))} ms`,
);
process.exit(failed.length > 0 ? 1 : 0);
