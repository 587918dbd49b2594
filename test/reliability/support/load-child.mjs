// A load generator in its own process, so the app under test does not share an event loop with
// its load. Keep-alive connections through undici's Pool; either as fast as the app answers or
// paced to a fixed rate. Every request it starts is awaited, so `sent` is exact.
//
// Usage: node load-child.mjs '{"url":"http://127.0.0.1:PORT","durationMs":3000,"connections":4,"rate":150,"paths":["/"]}'
// Prints "STARTED" when the first request goes out, then one JSON line with the result.
import { Pool } from 'undici';

const { url, durationMs, connections = 4, rate = 0, paths = ['/'] } = JSON.parse(process.argv[2]);

const pool = new Pool(url, { connections, pipelining: 1 });
const latencies = [];
let sent = 0;
let ok = 0;
let non2xx = 0;
let errors = 0;
const firstErrors = [];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const start = performance.now();
const end = start + durationMs;
// Paced mode: request i is due at start + i / rate, whichever connection is free takes it.
const interval = rate > 0 ? 1000 / rate : 0;
let nextSlot = start;

async function connection() {
  for (;;) {
    if (interval > 0) {
      const slot = nextSlot;
      if (slot >= end) return;
      nextSlot += interval;
      const wait = slot - performance.now();
      if (wait > 0) await sleep(wait);
    } else if (performance.now() >= end) {
      return;
    }
    const path = paths[sent % paths.length];
    sent++;
    const t0 = performance.now();
    try {
      const response = await pool.request({ path, method: 'GET' });
      await response.body.dump();
      latencies.push(performance.now() - t0);
      if (response.statusCode >= 200 && response.statusCode < 300) ok++;
      else non2xx++;
    } catch (error) {
      errors++;
      if (firstErrors.length < 3) firstErrors.push(String(error));
    }
  }
}

process.stdout.write('STARTED\n');
await Promise.all(Array.from({ length: connections }, connection));
const elapsedMs = performance.now() - start;
await pool.close();

latencies.sort((a, b) => a - b);
const pick = (q) =>
  latencies.length === 0
    ? 0
    : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
const mean =
  latencies.length === 0 ? 0 : latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
const round = (value) => Math.round(value * 100) / 100;
process.stdout.write(
  `${JSON.stringify({
    sent,
    ok,
    non2xx,
    errors,
    firstErrors,
    elapsedMs: round(elapsedMs),
    meanMs: round(mean),
    p99Ms: round(pick(0.99)),
    maxMs: round(latencies.at(-1) ?? 0),
  })}\n`,
);
