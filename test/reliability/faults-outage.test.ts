import { describe, expect, it } from 'vitest';
import { sampleStats } from './support/accounting.js';
import { sleep, startLoad } from './support/run-load.js';
import { finishScenario, startScenario } from './support/scenario.js';

const RATE = 150;
const LOAD_MS = 3500;
const OUTAGE_FROM_MS = 500;
const OUTAGE_MS = 2000;

/** Load for 3.5 s with the fake down from 0.5 s to 2.5 s; samples the client meanwhile. */
async function loadThroughOutage(scenario: Awaited<ReturnType<typeof startScenario>>) {
  const samples = sampleStats(scenario.app.client);
  const load = await startLoad({ url: scenario.app.url, durationMs: LOAD_MS, rate: RATE });
  await sleep(OUTAGE_FROM_MS);
  await scenario.fake.faults.down();
  await sleep(OUTAGE_MS);
  await scenario.fake.faults.up();
  const result = await load.done;
  return { result, samples: samples.stop() };
}

// Scenario 5. issue: a full outage of the server, then recovery, under load; here a 2 s outage
// in 3.5 s of load at 150 requests/s (about 300 events arrive while it is down).
describe('a full outage, then recovery', () => {
  it('stores every event when the queue can hold the outage', async () => {
    const scenario = await startScenario();
    const { result, samples } = await loadThroughOutage(scenario);
    const { tally } = await finishScenario('5a outage, big queue', scenario, result, {
      print: () => ({ maxQueued: samples.maxQueued }),
    });
    expect(tally.dropped).toEqual({});
    expect(tally.stored).toBe(result.sent);
    // The outage really held events back.
    expect(samples.maxQueued).toBeGreaterThan(100);
    expect(samples.identityBroken).toBe(0);
  });

  it('counts exactly what a small maxQueueSize could not hold as queue_full', async () => {
    const maxQueueSize = 50;
    const scenario = await startScenario({ adapter: { maxQueueSize } });
    const { result, samples } = await loadThroughOutage(scenario);
    const { tally } = await finishScenario('5b outage, maxQueueSize 50', scenario, result, {
      print: () => ({ maxQueued: samples.maxQueued }),
    });
    expect(Object.keys(tally.dropped)).toEqual(['queue_full']);
    expect(tally.dropped.queue_full).toBeGreaterThan(100);
    expect(tally.stored + (tally.dropped.queue_full ?? 0)).toBe(result.sent);
    expect(samples.maxQueued).toBeLessThanOrEqual(maxQueueSize);
    expect(samples.identityBroken).toBe(0);
  });

  it('keeps queuedBytes within a small maxQueueBytes throughout', async () => {
    const maxQueueBytes = 32 * 1024;
    const scenario = await startScenario({ adapter: { maxQueueBytes } });
    const { result, samples } = await loadThroughOutage(scenario);
    const { tally } = await finishScenario('5c outage, maxQueueBytes 32 KiB', scenario, result, {
      print: () => ({ maxQueuedBytes: samples.maxQueuedBytes, samples: samples.count }),
    });
    expect(samples.maxQueuedBytes).toBeLessThanOrEqual(maxQueueBytes);
    // The bound was reached, not just respected by a queue that never filled.
    expect(samples.maxQueuedBytes).toBeGreaterThan(maxQueueBytes / 2);
    expect(Object.keys(tally.dropped)).toEqual(['queue_full']);
    expect(tally.stored + (tally.dropped.queue_full ?? 0)).toBe(result.sent);
    expect(samples.identityBroken).toBe(0);
  });
});
