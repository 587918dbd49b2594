// One backlog drain of bench/drain.mjs, in its own process: a client with the default delivery
// options emits `count` events at once and flushes them, reading its concurrency limit every
// 10 ms meanwhile.
//   node drain-process.mjs <url> <token> <count> [delivery]
// Prints `RESULT {wallMs, emitMs, cpuMs, startedAt, endedAt, delivered, dropped, limits: [[at,
// limit], ...]}`. The drain is timed from the moment the backlog is queued (the emits are the
// app's work, `emitMs`) to the end of the flush; cpuMs is the process's CPU time (both threads)
// over the same span.
import { createEventClient } from '@authentik-events/core';
import { typicalEvent } from './typical-event.mjs';

const [url, token, countText, delivery] = process.argv.slice(2);
const count = Number(countText);

const client = createEventClient({
  url,
  token,
  app: 'bench',
  // Room for the whole backlog (the default queue holds 10,000): the bench measures delivery.
  maxQueueSize: count,
  maxQueueBytes: 1024 * 1024 * 1024,
  // The default ('background') unless the bench compares another.
  delivery,
});
const events = Array.from({ length: count }, (_, index) => typicalEvent(index));
const limits = [];
const sampler = setInterval(() => {
  limits.push([Date.now(), client.stats().concurrencyLimit]);
}, 10);
const emitStart = performance.now();
for (const event of events) client.emit(event);
// Nothing is sent before the next turn of the event loop: the backlog is all queued here.
const startedAt = Date.now();
const started = performance.now();
const emitMs = started - emitStart;
const cpu = process.cpuUsage();
const report = await client.flush();
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
const endedAt = Date.now();
clearInterval(sampler);
await client.close();
const dropped = Object.values(report.dropped).reduce((sum, value) => sum + value, 0);
console.log(
  `RESULT ${JSON.stringify({ count, wallMs, emitMs, cpuMs, startedAt, endedAt, delivered: report.delivered, retried: report.retried, dropped, limits })}`,
);
process.exit(0);
