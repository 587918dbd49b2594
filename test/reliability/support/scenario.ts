import type { AuthentikEventsError, ClientStats, DeliveryReport } from '@authentik-events/core';
import {
  type FakeAuthentik,
  type FakeAuthentikOptions,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterEach, expect } from 'vitest';
import { expectAccounted, printSummary, type Tally, waitUntil } from './accounting.js';
import {
  type AppUnderTest,
  type Framework,
  type RouteHandler,
  startApp,
} from './app-under-test.js';
import type { LoadResult } from './run-load.js';

/**
 * Client options that make a scenario run in seconds instead of minutes: events leave every
 * 50 ms instead of every second and the first retry waits up to 20 ms instead of 500 ms.
 * Bounds and counts are the defaults unless a scenario says otherwise.
 */
export const FAST_DELIVERY = {
  flushIntervalMs: 50,
  batchSize: 20,
  requestTimeoutMs: 2000,
  retry: { minDelayMs: 20, maxDelayMs: 500 },
} as const;

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  // A scenario that failed half-way still must not leave servers or clients behind.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

export interface Scenario {
  fake: FakeAuthentik;
  app: AppUnderTest;
  /** Everything the client reported through onError. */
  errors: AuthentikEventsError[];
}

export interface ScenarioOptions {
  framework?: Framework;
  fake?: FakeAuthentikOptions;
  // biome-ignore lint/suspicious/noExplicitAny: adapter options; callbacks get each framework's request
  adapter?: Record<string, any>;
  routes?: Record<string, RouteHandler>;
}

/** A fake authentik and a real app with the adapter (autoLog on) delivering to it. */
export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const fake = await startFakeAuthentik({
    quiet: true,
    maxRecordedRequests: 100_000,
    ...options.fake,
  });
  cleanups.push(() => fake.close());
  const errors: AuthentikEventsError[] = [];
  const app = await startApp({
    framework: options.framework ?? 'express',
    adapter: {
      url: fake.url,
      token: fake.token,
      app: 'reliability-suite',
      autoLog: true,
      onError: (error: AuthentikEventsError) => errors.push(error),
      ...FAST_DELIVERY,
      ...options.adapter,
    },
    routes: options.routes,
  });
  cleanups.push(() => app.close(1000));
  return { fake, app, errors };
}

export interface Finished {
  tally: Tally;
  stats: ClientStats;
  report: DeliveryReport;
}

/**
 * Ends a scenario: checks the app answered every request the load sent, waits until the
 * adapter recorded each of them, closes the app, and runs the accounting checks.
 */
export async function finishScenario(
  name: string,
  scenario: Scenario,
  load: LoadResult,
  options: {
    extraEvents?: number;
    closeTimeoutMs?: number;
    /** Extra figures for the summary line, read after the close. */
    print?: () => Record<string, unknown>;
  } = {},
): Promise<Finished> {
  const { app, fake } = scenario;
  expect(load.sent).toBeGreaterThan(0);
  expect({ sent: load.sent, ok: load.ok, non2xx: load.non2xx, errors: load.errors }).toEqual({
    sent: load.sent,
    ok: load.sent,
    non2xx: 0,
    errors: 0,
  });
  // autoLog records a request when its response has finished; the last ones may trail the load.
  const expected = load.sent + (options.extraEvents ?? 0);
  await waitUntil(() => app.client.stats().emitted >= expected, `${expected} events were emitted`);
  const report = await app.close(options.closeTimeoutMs ?? 15_000);
  const stats = app.client.stats();
  expect(stats.emitted, 'one custom_http_request per answered request').toBe(expected);
  expect(app.appErrors).toEqual([]);
  const tally = expectAccounted(stats, fake.events);
  printSummary(name, tally, {
    requests: load.sent,
    retried: stats.retried,
    loadMs: load.elapsedMs,
    ...options.print?.(),
  });
  return { tally, stats, report };
}
