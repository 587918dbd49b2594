import { describe, expect, it } from 'vitest';
import { sampleStats, waitUntil } from './support/accounting.js';
import { sleep, startLoad } from './support/run-load.js';
import { finishScenario, startScenario } from './support/scenario.js';

const RATE = 100;
const LOAD_MS = 20_000;
/** The outage and the up-window take about 25 s; a loaded machine may take longer. */
const TEST_TIMEOUT_MS = 60_000;
/** Long enough an outage for the probe interval to grow to its ceiling. */
const LONG_OUTAGE_MS = 14_000;
/**
 * How long the server then stays up. The sender must deliver within it: its probes are at most
 * 5 s apart however long authentik was down. (Before, the interval kept doubling up to the
 * per-event retry.maxDelayMs: after a 14 s outage the next probe was at least 8 s away, so an
 * up-window like this one passed without a single delivery, and under flapping, one after
 * another, each probe a coin toss.)
 */
const UP_WINDOW_MS = 7_500;

// issue 16: delivery stalled while the stand-in was up, under flapping and load. The server
// goes down (listening socket closed, connections destroyed) under load, stays down for a long
// outage, and comes back right after one of the sender's probes failed: the moment at which a
// growing probe interval hides the recovery longest.
describe('a flapping server under load: no up-window passes without deliveries', () => {
  it(
    'delivers within the up-window after a long outage, and accounts for every event',
    async () => {
      const scenario = await startScenario({
        // The default retry policy (FAST_DELIVERY's short delays would hide a long probe interval).
        adapter: { retry: { minDelayMs: 500, maxDelayMs: 30_000 } },
      });
      const { app, fake } = scenario;
      const samples = sampleStats(app.client);
      const load = await startLoad({ url: app.url, durationMs: LOAD_MS, rate: RATE });
      await waitUntil(() => app.client.stats().delivered > 0, 'the first delivery');

      await fake.faults.down();
      const downAt = Date.now();
      // A failed attempt shows as one more `retried` (the next attempt starts).
      let retried = app.client.stats().retried;
      for (;;) {
        await sleep(5);
        const now = app.client.stats().retried;
        const failed = now > retried;
        retried = now;
        if (failed && Date.now() - downAt >= LONG_OUTAGE_MS) break;
      }
      await fake.faults.up();
      const upAt = Date.now();
      const deliveredAtUp = app.client.stats().delivered;
      const waitingAtUp = app.client.stats().queued + app.client.stats().inFlight;
      while (Date.now() - upAt < UP_WINDOW_MS && app.client.stats().delivered === deliveredAtUp) {
        await sleep(20);
      }
      const firstDeliveryAfterMs = Date.now() - upAt;
      const deliveredInWindow = app.client.stats().delivered - deliveredAtUp;
      console.log(
        `[16 flapping] outage ${upAt - downAt} ms, ${waitingAtUp} events waiting at up, first delivery ${deliveredInWindow > 0 ? `${firstDeliveryAfterMs} ms` : 'none'} after it`,
      );
      // Checked before the close: a stalled sender is the defect, whatever the close then does.
      expect(waitingAtUp, 'events were waiting when the server came back').toBeGreaterThan(0);
      expect(deliveredInWindow, `deliveries in the ${UP_WINDOW_MS} ms up-window`).toBeGreaterThan(
        0,
      );

      const result = await load.done;
      const { tally } = await finishScenario(
        '16 flapping: long outage, short up-window',
        scenario,
        result,
      );
      expect(tally.dropped).toEqual({});
      expect(tally.stored).toBe(result.sent);
      expect(samples.stop().identityBroken).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
