// The load generator, in its own process: autocannon's programmatic API against one URL.
// A short warm-up first (JIT, connection set-up), then `WARM` on stdout (the parent starts its
// own measurements of the app there), then the measured run and its RESULT line (with a rate:
// `MEASURED` at the end of the measured window first, see paced()).
//   node load-process.mjs <url> <connections> <seconds> <warm-up seconds> [rate [slots]]
// Without `rate`: closed loop, every connection sends its next request as soon as the answer
// comes (saturation). With `rate`: that many requests per second across all connections,
// paced by autocannon's `overallRate`, see paced() below.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

const [url, connections, seconds, warmupSeconds, rateText, slotsText] = process.argv.slice(2);
const rate = rateText ? Math.round(Number(rateText)) : 0;
/** Width of the buckets that show how evenly the requests were spread over each second. */
const BUCKET_MS = 100;

function run(duration, latencies) {
  const tracker = autocannon({
    url,
    connections: Number(connections),
    duration: Number(duration),
    pipelining: 1,
  });
  // autocannon's own percentiles are whole milliseconds (0 for a hello world); the response
  // times it reports per response are exact, so the percentiles are taken from those.
  if (latencies) {
    tracker.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  }
  return tracker;
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

/** `total` split into `parts` whole shares that differ by one at most. */
function share(total, parts, index) {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/** The busiest BUCKET_MS of the window, as a multiple of an even spread (1 = perfectly even). */
function busiestBucketVsEven(arrivals, windowStart) {
  if (arrivals.length === 0) return Number.NaN;
  const counts = new Map();
  for (const at of arrivals) {
    const bucket = Math.floor((at - windowStart) / BUCKET_MS);
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / ((rate * BUCKET_MS) / 1000);
}

async function closedLoop() {
  if (Number(warmupSeconds) > 0) await run(warmupSeconds);
  console.log('WARM');
  const latencies = [];
  const result = await run(seconds, latencies);
  latencies.sort((a, b) => a - b);
  console.log(
    `RESULT ${JSON.stringify({
      requestsPerSecond: result.requests.average,
      totalRequests: result.requests.total,
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP99Ms: percentile(latencies, 0.99),
      latencyP999Ms: percentile(latencies, 0.999),
      latencyAverageMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      durationS: result.duration,
    })}`,
  );
}

/**
 * `rate` requests per second. autocannon paces `overallRate` per connection and per second:
 * each connection sends back to back until it has made its share of the second, then waits
 * for the next second, and all connections' seconds start together. One instance therefore
 * sends each second's requests in one burst at the app's full speed, 10 in flight, then
 * nothing. So the load is split into `slots` instances (the connections shared among them,
 * `overallRate` too) started 1000/slots ms apart: with 10 slots of one connection, each
 * 100 ms gets a tenth of the second's requests, one connection at a time as long as the app
 * keeps up. `slots` 1 is autocannon's own pacing.
 *
 * The instances run continuously through warm-up and measurement. Two windows:
 * - the measured window, `seconds` long after the warm-up, between the `WARM` and `MEASURED`
 *   lines (the parent reads the app's CPU time at both): latencies, the requests answered in
 *   it (`totalRequests`, for CPU per request) and how even the load was come from there;
 * - the achieved rate counts each instance over whole seconds of its own pace (the same
 *   number of seconds, from its own start plus the warm-up): a window that cuts an
 *   instance's second in two would count a late first second (a cold app) twice over.
 */
async function paced() {
  const totalConnections = Number(connections);
  const slots = Math.max(1, Math.min(Number(slotsText) || 1, totalConnections, rate));
  const slotMs = 1000 / slots;
  const warmupMs = Math.max(1, Math.ceil(Number(warmupSeconds))) * 1000;
  const measuredMs = Number(seconds) * 1000;
  const startedAt = performance.now();
  const windowStart = startedAt + warmupMs;
  const windowEnd = windowStart + measuredMs;
  const latencies = [];
  const arrivals = [];
  let non2xx = 0;
  let errors = 0;
  let paced = 0;
  let lastPacedEnd = windowEnd;
  const inWindow = (now) => now >= windowStart && now < windowEnd;
  const trackers = [];
  for (let slot = 0; slot < slots; slot++) {
    await sleep(Math.max(0, startedAt + slot * slotMs - performance.now()));
    const pacedStart = performance.now() + warmupMs;
    const pacedEnd = pacedStart + measuredMs;
    lastPacedEnd = pacedEnd;
    const tracker = autocannon({
      url,
      connections: share(totalConnections, slots, slot),
      overallRate: share(rate, slots, slot),
      // Stopped after the windows; the duration is a safety net.
      duration: Math.ceil((pacedEnd - performance.now()) / 1000) + 10,
      pipelining: 1,
    });
    tracker.on('response', (_client, statusCode, _bytes, responseTime) => {
      const now = performance.now();
      if (now >= pacedStart && now < pacedEnd) paced++;
      if (!inWindow(now)) return;
      arrivals.push(now);
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else non2xx++;
    });
    tracker.on('reqError', () => {
      if (inWindow(performance.now())) errors++;
    });
    trackers.push(tracker);
  }
  await sleep(Math.max(0, windowStart - performance.now()));
  console.log('WARM');
  await sleep(Math.max(0, windowEnd - performance.now()));
  console.log('MEASURED');
  await sleep(Math.max(0, lastPacedEnd - performance.now()));
  latencies.sort((a, b) => a - b);
  console.log(
    `RESULT ${JSON.stringify({
      requestsPerSecond: paced / Number(seconds),
      totalRequests: arrivals.length,
      windowRequestsPerSecond: arrivals.length / Number(seconds),
      latencyP50Ms: percentile(latencies, 0.5),
      latencyP99Ms: percentile(latencies, 0.99),
      latencyP999Ms: percentile(latencies, 0.999),
      latencyAverageMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
      non2xx,
      errors,
      durationS: Number(seconds),
      rate,
      slots,
      busiestBucketVsEven: busiestBucketVsEven(arrivals, windowStart),
      bucketMs: BUCKET_MS,
    })}`,
  );
  // autocannon notices stop() at its next one-second tick; nothing is left to measure.
  for (const tracker of trackers) tracker.stop();
  process.exit(0);
}

if (rate > 0) await paced();
else await closedLoop();
