import { describe, expect, it } from 'vitest';
import { connect, expectAccounting, FAST, sleep, startFake, storedIds } from './helpers.js';

// The issue asks for a 10 s outage: long enough for a naive retry loop (8 retries, backoff
// capped at 200 ms here) to exhaust every event several times over. The only long test.
const OUTAGE_MS = 10_000;
const ROUND_MS = 200;
const PER_ROUND = 4;
const RETRIES = 8;
const MAX_DELAY_MS = FAST.retry?.maxDelayMs ?? 200;

describe('an outage, then recovery', () => {
  it(
    'loses nothing and backs off as a whole while authentik is unreachable',
    async () => {
      const fake = await startFake();
      await fake.faults.down();
      const { client, errors } = connect(fake, {
        concurrency: 4,
        retry: { retries: RETRIES, minDelayMs: 10, maxDelayMs: MAX_DELAY_MS },
      });

      const startedAt = Date.now();
      let emitted = 0;
      while (Date.now() - startedAt < OUTAGE_MS) {
        for (let i = 0; i < PER_ROUND; i++) {
          expect(client.emit({ action: 'custom_step', context: { n: emitted++ } })).toBe(true);
        }
        await sleep(ROUND_MS);
        // The identity holds at every moment, and nothing has been given up on.
        expectAccounting(client.stats());
        expect(client.stats().delivered).toBe(0);
        expect(Object.values(client.stats().dropped).every((n) => n === 0)).toBe(true);
      }
      const outageMs = Date.now() - startedAt;
      const { retried } = client.stats();

      await fake.faults.up();
      const report = await client.flush();
      expect(report.complete).toBe(true);
      const stats = client.stats();
      expect(stats).toMatchObject({ emitted, delivered: emitted, queued: 0, inFlight: 0 });
      expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
      expect(fake.events).toHaveLength(emitted);
      expect(new Set(storedIds(fake)).size).toBe(emitted);
      expect(new Set(fake.events.map((e) => e.context.n))).toEqual(
        new Set([...Array(emitted).keys()]),
      );

      // A naive loop would make 1 + RETRIES attempts per event (and then drop them all). Backing
      // off as a whole allows a few failures before the circuit opens, then one probe at a time
      // at least maxDelayMs / 2 apart once the backoff has grown: bound that with a 2x margin.
      const naive = emitted * (1 + RETRIES);
      const bound = 2 * (Math.ceil(outageMs / (MAX_DELAY_MS / 2)) + 5 * 4);
      console.info(
        `outage ${outageMs} ms: ${emitted} events, ${retried} retried attempts during it (naive loop: ${naive}, bound ${bound}); ${stats.retried} in all`,
      );
      expect(retried).toBeLessThan(bound);
      expect(bound).toBeLessThan(naive / 4);
      // Told at once that authentik refuses connections, and once only in the whole episode.
      expect(errors.map((error) => error.code)).toEqual([
        'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED',
      ]);
      expectAccounting(stats);
    },
    OUTAGE_MS + 20_000,
  );
});
