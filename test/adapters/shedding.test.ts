import { describe, expect, it } from 'vitest';
import { sendExpecting, startScenario } from './harness/scenario.js';
import { FRAMEWORKS } from './harness/types.js';

// Under overload the queue is full; without an onDrop hook a request's event is counted and
// dropped before it is built (client.shedIfFull). What must hold: every request still answered,
// every event counted, one warning for the episode. The app's own events are audit events,
// which are never shed this way (priorities.test.ts).
const REQUESTS = 20;

describe.each(FRAMEWORKS)('%s: shedding requests while the queue is full', (framework) => {
  it('counts each request as emitted and queue_full once the queue is full, and answers them all', async () => {
    const scenario = await startScenario(framework, {
      events: { maxQueueSize: 3, concurrency: 1 },
    });
    const { client } = scenario.app;
    // No onDrop here: shedding applies (a hook would need each event's content).
    await scenario.fake.faults.down();

    for (let i = 0; i < REQUESTS; i++)
      await sendExpecting(scenario.app, 200, { path: `/hello?n=${i}` });

    // The queue holds three, the sender at most one more (concurrency 1, retrying against a
    // server that is down): the rest were shed, and counted.
    const during = client.stats();
    expect(during.emitted).toBe(REQUESTS);
    expect(during.queued).toBeLessThanOrEqual(3);
    expect(during.inFlight).toBeLessThanOrEqual(1);
    expect(during.dropped.queue_full).toBe(REQUESTS - during.queued - during.inFlight);
    expect(during.dropped.queue_full).toBeGreaterThanOrEqual(REQUESTS - 3 - 1);
    expect(scenario.errors.map((error) => error.code)).toContain('ERR_AUTHENTIK_EVENTS_QUEUE_FULL');
    expect(
      scenario.errors.filter((error) => error.code === 'ERR_AUTHENTIK_EVENTS_QUEUE_FULL'),
    ).toHaveLength(1);

    await scenario.fake.faults.up();
    await client.flush({ timeoutMs: 5000 });
    // What was kept are the first requests, built in full; the rest were never built.
    const kept = REQUESTS - during.dropped.queue_full;
    expect(scenario.fake.events.map((event) => event.context.http_request)).toEqual(
      [...Array(kept).keys()].map((n) =>
        expect.objectContaining({ path: '/hello', args: { n: String(n) } }),
      ),
    );
    expect(client.stats()).toMatchObject({
      emitted: REQUESTS,
      delivered: kept,
      dropped: { queue_full: REQUESTS - kept },
    });
  });
});
