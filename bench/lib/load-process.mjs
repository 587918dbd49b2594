// The load generator, in its own process: autocannon's programmatic API against one URL.
// A short warm-up first (JIT, connection set-up), then `WARM` on stdout (the parent starts its
// own measurements of the app there), then the measured run and its RESULT line.
//   node load-process.mjs <url> <connections> <seconds> <warm-up seconds>
import autocannon from 'autocannon';

const [url, connections, seconds, warmupSeconds] = process.argv.slice(2);

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
    latencyAverageMs: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
  })}`,
);
