import { expect, it } from 'vitest';
import { sampleStats } from './support/accounting.js';
import { startLoad } from './support/run-load.js';
import { finishScenario, startScenario } from './support/scenario.js';

const CONCURRENCY = 4;
const MAX_QUEUE_SIZE = 100;
const MAX_QUEUE_BYTES = 256 * 1024;

// Scenario 7. issue: a server that takes 100 events/s while the app is under full load with
// autoLog on; here 3 s of unpaced load (as fast as the app answers) on Fastify against a fake
// limited to 100 events/s, with a queue of 100 events / 256 KiB so it fills within the run.
it('sheds load it cannot deliver, within its bounds, while the app answers every request', async () => {
  const scenario = await startScenario({
    framework: 'fastify',
    adapter: {
      concurrency: CONCURRENCY,
      maxQueueSize: MAX_QUEUE_SIZE,
      maxQueueBytes: MAX_QUEUE_BYTES,
    },
  });
  const { fake, app } = scenario;
  fake.faults.rateLimit(100);
  const samples = sampleStats(app.client);
  const result = await (await startLoad({ url: app.url, durationMs: 3000, connections: 8 })).done;
  const bounds = samples.stop();

  const { tally } = await finishScenario('7 fake at 100 events/s, full load', scenario, result, {
    print: () => ({
      maxConcurrent: fake.maxConcurrent,
      maxQueued: bounds.maxQueued,
      maxQueuedBytes: bounds.maxQueuedBytes,
      appP99Ms: result.p99Ms,
    }),
  });
  expect(fake.maxConcurrent).toBeLessThanOrEqual(CONCURRENCY);
  expect(bounds.maxQueued).toBeLessThanOrEqual(MAX_QUEUE_SIZE);
  expect(bounds.maxQueuedBytes).toBeLessThanOrEqual(MAX_QUEUE_BYTES);
  expect(bounds.identityBroken).toBe(0);
  // The load outran the fake by far, so the queue overflowed; every shed event is counted.
  expect(Object.keys(tally.dropped)).toEqual(['queue_full']);
  expect(tally.stored + (tally.dropped.queue_full ?? 0)).toBe(result.sent);
  expect(tally.duplicates).toBe(0);
});
