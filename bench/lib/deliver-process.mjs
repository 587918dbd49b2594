// One delivery variant in its own process, so that its CPU time is its own:
//   node deliver-process.mjs <variant> <url> <token> <count> [concurrency]
// ours            createEventClient: emit all, then flush
// official-serial @goauthentik/api EventsApi.eventsEventsCreate, awaited one by one
// official-all    the same, all at once with Promise.all (unbounded)

import { createEventClient } from '@authentik-events/core';
import { Configuration, EventsApi } from '@goauthentik/api';
import { envString } from './report.mjs';
import { typicalEvent, typicalEventRequest } from './typical-event.mjs';

const [variant, url, token, countText, concurrencyText] = process.argv.slice(2);
const count = Number(countText);

/** Why a request failed, in a few words: the error's code or name and the cause's. */
function failureKind(error) {
  const cause = error?.cause;
  const code = cause?.code ?? cause?.cause?.code ?? error?.code;
  const status = error?.response?.status;
  return [
    error?.name,
    status && `HTTP ${status}`,
    code,
    cause?.message && !code ? cause.message.slice(0, 60) : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

async function ours() {
  const client = createEventClient({
    url,
    token,
    app: 'bench',
    // Room for every event at once: the bench measures delivery, not the queue bound.
    maxQueueSize: count,
    maxQueueBytes: 1024 * 1024 * 1024,
    concurrency: concurrencyText ? Number(concurrencyText) : undefined,
    // Set by delivery-throughput.mjs for its in-process variant; the default otherwise.
    delivery: envString('BENCH_DELIVERY', undefined),
  });
  const events = Array.from({ length: count }, (_, index) => typicalEvent(index));
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  for (const event of events) client.emit(event);
  const report = await client.flush();
  const wallMs = performance.now() - startedAt;
  const used = process.cpuUsage(cpu);
  await client.close();
  const dropped = Object.entries(report.dropped).filter(([, value]) => value > 0);
  return {
    wallMs,
    used,
    delivered: report.delivered,
    failures: Object.fromEntries(dropped.map(([reason, value]) => [`dropped ${reason}`, value])),
  };
}

function officialApi() {
  return new EventsApi(new Configuration({ basePath: `${url}/api/v3`, accessToken: token }));
}

async function officialSerial() {
  const api = officialApi();
  const events = Array.from({ length: count }, (_, index) => typicalEventRequest(index));
  const failures = {};
  let delivered = 0;
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  for (const eventRequest of events) {
    try {
      await api.eventsEventsCreate({ eventRequest });
      delivered++;
    } catch (error) {
      const kind = failureKind(error);
      failures[kind] = (failures[kind] ?? 0) + 1;
    }
  }
  const wallMs = performance.now() - startedAt;
  return { wallMs, used: process.cpuUsage(cpu), delivered, failures };
}

async function officialAll() {
  const api = officialApi();
  const events = Array.from({ length: count }, (_, index) => typicalEventRequest(index));
  const failures = {};
  const cpu = process.cpuUsage();
  const startedAt = performance.now();
  const results = await Promise.allSettled(
    events.map((eventRequest) => api.eventsEventsCreate({ eventRequest })),
  );
  const wallMs = performance.now() - startedAt;
  const used = process.cpuUsage(cpu);
  let delivered = 0;
  for (const result of results) {
    if (result.status === 'fulfilled') delivered++;
    else {
      const kind = failureKind(result.reason);
      failures[kind] = (failures[kind] ?? 0) + 1;
    }
  }
  return { wallMs, used, delivered, failures };
}

const run = { ours, 'official-serial': officialSerial, 'official-all': officialAll }[variant];
if (!run) throw new Error(`unknown variant ${variant}`);
const { wallMs, used, delivered, failures } = await run();
const cpuUs = used.user + used.system;
console.log(
  `RESULT ${JSON.stringify({ variant, count, wallMs, delivered, failures, eventsPerSecond: (delivered * 1000) / wallMs, cpuUsPerEvent: cpuUs / count, peakRss: process.resourceUsage().maxRSS * 1024 })}`,
);
process.exit(0);
