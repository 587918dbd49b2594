// A child process running the local authentik test double (not authentik), controlled over IPC,
// so that its CPU never counts against the process being measured.
import { startFakeAuthentik } from '@authentik-events/testing';

// node fake-process.mjs <latencyMs> <eventsPerSecond> (0: none) [<capacity as JSON>]
const [latency, rateLimit] = process.argv.slice(2, 4).map(Number);
const capacity = process.argv[4] ? JSON.parse(process.argv[4]) : undefined;

const fake = await startFakeAuthentik({ quiet: true, maxRecordedRequests: 100, capacity });
if (latency > 0) fake.faults.latency(latency);
if (rateLimit > 0) fake.faults.rateLimit(rateLimit);

const commands = {
  counts: () => ({ stored: fake.events.length, requests: fake.requestCount }),
  // Forget stored events between runs: the fake keeps every event in memory.
  clear: () => {
    fake.clear();
    return { stored: 0 };
  },
  rateLimit: (value) => {
    fake.faults.rateLimit(value);
    return {};
  },
  latency: (value) => {
    fake.faults.latency(value);
    return {};
  },
  sample: () => fake.events[0] ?? null,
  // bench/priorities.mjs: the stored audit events (failed logins, distinct by their number in
  // the run) and request logs.
  classes: () => {
    const audit = new Set();
    let auditStored = 0;
    let requestLogs = 0;
    for (const event of fake.events) {
      if (event.action === 'login_failed') {
        auditStored++;
        audit.add(event.context.bench_audit);
      } else if (event.context.custom_action === 'http_request') requestLogs++;
    }
    return { auditStored, auditDistinct: audit.size, requestLogs };
  },
  // The capacity mode (bench/drain.mjs): change it at run time, read its counters.
  capacity: (value) => {
    fake.faults.capacity(value);
    return {};
  },
  capacityStats: () => fake.capacityStats,
};

process.on('message', async (message) => {
  if (message.command === 'close') {
    await fake.close();
    process.send({ id: message.id, result: {} }, () => process.exit(0));
    return;
  }
  process.send({ id: message.id, result: commands[message.command](message.value) });
});
process.send({ ready: true, url: fake.url, token: fake.token, pid: process.pid });
