import { expect, it } from 'vitest';
import { sleep, startLoad } from './support/run-load.js';
import { finishScenario, startScenario } from './support/scenario.js';

const EVENTS_PATH = '/api/v3/events/events/';
const PAUSE_MS = 2000;
/** A request the client had already sent when a 429 arrived may land just after it. */
const IN_FLIGHT_SLACK_MS = 200;
/** Timers and Date.now() may disagree by a millisecond or two. */
const CLOCK_SLACK_MS = 20;

// Scenario 2. issue: a window of 429s with Retry-After: 2 during steady load; here 5 s of load at
// 150 requests/s and three 429s from 1 s on (the first pauses the sender, the others are met
// after the pause and pause it again), so the sender sits through two 2 s pauses.
it('pauses the whole sender for Retry-After on 429, without using up retries, and stores all', async () => {
  const scenario = await startScenario({
    // One retry only: were a 429 with Retry-After to use one up, an event answered 429 twice
    // would be dropped as retries_exhausted.
    adapter: { retry: { retries: 1, minDelayMs: 20, maxDelayMs: 500 } },
  });
  const { fake } = scenario;
  const load = await startLoad({ url: scenario.app.url, durationMs: 5000, rate: 150 });
  await sleep(1000);
  fake.faults.failNext(3, 429, { retryAfter: 2 });
  const result = await load.done;

  const posts = () => fake.requests.filter((request) => request.path === EVENTS_PATH);
  const refusals = () => posts().filter((request) => request.status === 429);
  const { tally } = await finishScenario('2 429 Retry-After', scenario, result, {
    print: () => ({ answered429: refusals().length }),
  });
  const answered429 = refusals();
  expect(answered429).toHaveLength(3);
  for (const refusal of answered429) {
    // From the moment the 429 was answered until the pause ends, no new request may start.
    const from = refusal.receivedAt + IN_FLIGHT_SLACK_MS;
    const until = refusal.receivedAt + PAUSE_MS - CLOCK_SLACK_MS;
    const during = posts().filter(
      (request) => request.receivedAt > from && request.receivedAt < until,
    );
    expect(during.map((request) => request.receivedAt - refusal.receivedAt)).toEqual([]);
  }
  expect(tally.dropped).toEqual({});
  expect(tally.stored).toBe(result.sent);
  expect(tally.duplicates).toBe(0);
});
