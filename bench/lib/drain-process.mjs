// One backlog drain of bench/drain.mjs, in its own process: a client with the default delivery
// options emits `count` events at once and flushes them, reading its concurrency limit every
// 10 ms meanwhile.
//   node drain-process.mjs <url> <token> <count>
// Prints `RESULT {wallMs, startedAt, endedAt, delivered, dropped, limits: [[at, limit], ...]}`.
import { createEventClient } from '@authentik-events/core';
import { typicalEvent } from './typical-event.mjs';

const [url, token, countText] = process.argv.slice(2);
const count = Number(countText);

const client = createEventClient({
  url,
  token,
  app: 'bench',
  // Room for the whole backlog (the default queue holds 10,000): the bench measures delivery.
  maxQueueSize: count,
  maxQueueBytes: 1024 * 1024 * 1024,
});
const events = Array.from({ length: count }, (_, index) => typicalEvent(index));
const limits = [];
const sampler = setInterval(() => {
  limits.push([Date.now(), client.stats().concurrencyLimit]);
}, 10);
const startedAt = Date.now();
const started = performance.now();
for (const event of events) client.emit(event);
const report = await client.flush();
const wallMs = performance.now() - started;
const endedAt = Date.now();
clearInterval(sampler);
await client.close();
const dropped = Object.values(report.dropped).reduce((sum, value) => sum + value, 0);
console.log(
  `RESULT ${JSON.stringify({ count, wallMs, startedAt, endedAt, delivered: report.delivered, retried: report.retried, dropped, limits })}`,
);
process.exit(0);
