import { expect, it } from 'vitest';
import { sleep, startLoad } from './support/run-load.js';
import { finishScenario, startScenario } from './support/scenario.js';

const REQUEST_TIMEOUT_MS = 200;
const RATE = 150;

// Scenario 4. issue: server latency 3× the request timeout for a window of the load; here a
// 200 ms timeout and 600 ms of latency for 1.5 s in the middle of 3.5 s of load at 150
// requests/s, after a 2 s no-fault baseline on the same app.
it('retries timed-out requests, stores every event, and the app answers as fast as without the fault', async () => {
  const scenario = await startScenario({
    adapter: { requestTimeoutMs: REQUEST_TIMEOUT_MS, retry: { minDelayMs: 20, maxDelayMs: 300 } },
  });
  const { fake, app } = scenario;
  const baseline = await (await startLoad({ url: app.url, durationMs: 2000, rate: RATE })).done;

  const load = await startLoad({ url: app.url, durationMs: 3500, rate: RATE });
  await sleep(1000);
  fake.faults.latency(3 * REQUEST_TIMEOUT_MS);
  await sleep(1500);
  fake.faults.latency(0);
  const result = await load.done;

  const { tally, stats } = await finishScenario('4 latency 3x timeout', scenario, result, {
    extraEvents: baseline.sent,
    print: () => ({
      baselineP99Ms: baseline.p99Ms,
      faultP99Ms: result.p99Ms,
      baselineMeanMs: baseline.meanMs,
      faultMeanMs: result.meanMs,
    }),
  });
  expect(baseline.ok).toBe(baseline.sent);
  expect(tally.dropped).toEqual({});
  expect(tally.stored).toBe(baseline.sent + result.sent);
  // Requests did time out and were sent again; a timed-out request the server finished anyway
  // is a duplicate, recognisable by its event_id (counted by id in tally).
  expect(stats.retried).toBeGreaterThan(0);
  expect(scenario.errors).toEqual([]);
  // The app's own latency does not follow the server's: a generous bound, timing here is noisy.
  expect(result.p99Ms).toBeLessThan(10 * baseline.p99Ms + 50);
  expect(result.meanMs).toBeLessThan(10 * baseline.meanMs + 50);
});
