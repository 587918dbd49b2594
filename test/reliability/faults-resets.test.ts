import { expect, it } from 'vitest';
import { waitUntil } from './support/accounting.js';
import { sleep, startLoad } from './support/run-load.js';
import { finishScenario, startScenario } from './support/scenario.js';

const EVENTS_PATH = '/api/v3/events/events/';
const RESETS = 5;

// Scenario 3. issue: connections reset before and after the server read the body during load;
// here 4 s of load at 150 requests/s on Fastify, 5 resets before the body at 0.5 s, then 5
// after it (the event already stored) once the first five have happened.
it('stores every event through connection resets; duplicates only from after-body resets', async () => {
  const scenario = await startScenario({ framework: 'fastify' });
  const { fake } = scenario;
  const posts = () => fake.requests.filter((request) => request.path === EVENTS_PATH);
  // A reset request is never answered (status 0); before the body nothing of it was read.
  const resetBeforeBody = () => posts().filter((r) => r.status === 0 && r.body === '').length;
  const resetAfterBody = () => posts().filter((r) => r.status === 0 && r.body !== '').length;

  const load = await startLoad({ url: scenario.app.url, durationMs: 4000, rate: 150 });
  await sleep(500);
  fake.faults.resetNext(RESETS);
  await waitUntil(() => resetBeforeBody() === RESETS, 'the before-body resets happened');
  fake.faults.resetNext(RESETS, { afterBody: true });
  await waitUntil(() => resetAfterBody() === RESETS, 'the after-body resets happened');
  const result = await load.done;

  const { tally, stats } = await finishScenario('3 connection resets', scenario, result, {
    print: () => ({ resetBeforeBody: resetBeforeBody(), resetAfterBody: resetAfterBody() }),
  });
  expect(resetBeforeBody()).toBe(RESETS);
  expect(resetAfterBody()).toBe(RESETS);
  expect(tally.dropped).toEqual({});
  expect(tally.stored).toBe(result.sent);
  // Each after-body reset stored an event the client then sent again: one recognisable copy each.
  expect(tally.duplicates).toBeLessThanOrEqual(RESETS);
  expect(tally.duplicates).toBe(RESETS);
  expect(stats.retried).toBe(2 * RESETS);
});
