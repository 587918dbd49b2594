import {
  type AuthentikEventsError,
  type ClientStats,
  createEventClient,
  type EmitInput,
} from '@authentik-events/core';
import {
  type FakeAuthentik,
  type StoredEvent,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callbackCases } from './bad-input/callback-cases.js';
import { BAD_ACTION, type BadInputCase, type Refusal } from './bad-input/case.js';
import { contextCases } from './bad-input/context-cases.js';
import { eventCases } from './bad-input/event-cases.js';
import { identityHolds, waitUntil } from './support/accounting.js';
import { FRAMEWORKS, type Framework, startApp } from './support/app-under-test.js';

// Bad input, as an app might hand it over by mistake or pass on from its own users: each case
// goes through client.emit and through req.authentik / ctx.authentik / request.authentik of
// all three adapters. Each must end stored (the fake enforces authentik's rules, so a payload
// it would refuse shows up as `rejected`) or refused with a reason under `invalid`; nothing may
// throw into the app, and the client must deliver a normal event afterwards.
const CASES: BadInputCase[] = [...contextCases, ...eventCases, ...callbackCases];
const FAST = {
  flushIntervalMs: 10,
  requestTimeoutMs: 5000,
  retry: { minDelayMs: 10, maxDelayMs: 50 },
};

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

interface Outcome {
  /** What `emit` returned for the bad event. */
  accepted: unknown;
  /** Anything that reached the app: must stay empty. */
  thrown: unknown[];
  /** What onError received, when the case did not replace onError. */
  errors: AuthentikEventsError[] | undefined;
  stats: ClientStats;
}

function customActions(events: readonly StoredEvent[], name: string): StoredEvent[] {
  return events.filter((event) => event.context.custom_action === name);
}

/** The checks every case passes on every path. */
function expectHandled(
  testCase: BadInputCase,
  refusal: Refusal | undefined,
  outcome: Outcome,
): void {
  const { stats } = outcome;
  expect(outcome.thrown).toEqual([]);
  expect({ queued: stats.queued, inFlight: stats.inFlight }).toEqual({ queued: 0, inFlight: 0 });
  expect(identityHolds(stats)).toBe(true);
  // Nothing reached the fake that authentik would refuse (a 400 would count as rejected).
  expect(stats.dropped).toEqual({
    invalid: refusal ? 1 : 0,
    filtered: 0,
    too_large: 0,
    queue_full: 0,
    rejected: 0,
    unauthorized: 0,
    retries_exhausted: 0,
    closed: 0,
  });
  expect(outcome.accepted).toBe(refusal !== 'at-emit');
  expect(stats.delivered).toBe(stats.emitted - (refusal ? 1 : 0));
  expect(fake.events).toHaveLength(stats.delivered);
  // The client kept working: the normal event after the bad one was delivered.
  expect(customActions(fake.events, 'after_bad_input')).toHaveLength(1);
  const bad = customActions(fake.events, 'bad_input');
  expect(bad).toHaveLength(refusal ? 0 : 1);
  if (bad[0]) testCase.check?.(bad[0]);
  if (refusal && outcome.errors) {
    // Refused with a clear reason, counted under `invalid`.
    const invalid = outcome.errors.find((error) => error.code === 'ERR_AUTHENTIK_EVENTS_INVALID');
    expect(invalid?.message).toMatch(/\w+/);
  }
}

/** A callback's failure was reported to onError, naming the callback. */
function expectReported(testCase: BadInputCase, outcome: Outcome): void {
  const names = (outcome.errors ?? []).map((error) => (error as { callback?: string }).callback);
  expect(names).toContain(testCase.reportedCallback);
}

async function throughClient(testCase: BadInputCase): Promise<Outcome> {
  const errors: AuthentikEventsError[] = [];
  const clientOptions = testCase.client?.() ?? {};
  const client = createEventClient({
    url: fake.url,
    token: fake.token,
    app: 'bad-input',
    ...FAST,
    onError: (error) => errors.push(error),
    ...clientOptions,
  });
  const thrown: unknown[] = [];
  let accepted: unknown;
  try {
    accepted = client.emit((testCase.emit as () => unknown)() as EmitInput);
  } catch (error) {
    thrown.push(error);
  }
  expect(client.emit({ action: 'custom_after_bad_input' })).toBe(true);
  await client.close({ timeoutMs: 10_000 });
  return {
    accepted,
    thrown,
    errors: 'onError' in clientOptions ? undefined : errors,
    stats: client.stats(),
  };
}

async function throughAdapter(testCase: BadInputCase, framework: Framework): Promise<Outcome> {
  const errors: AuthentikEventsError[] = [];
  const clientOptions = testCase.client?.() ?? {};
  let accepted: unknown;
  const app = await startApp({
    framework,
    adapter: {
      url: fake.url,
      token: fake.token,
      app: 'bad-input',
      ...FAST,
      onError: (error: AuthentikEventsError) => errors.push(error),
      ...clientOptions,
      ...testCase.adapter?.(),
    },
    routes: {
      '/bad': (events) => {
        accepted = (
          testCase.request ?? ((e) => e.emit(BAD_ACTION, { context: { case: testCase.name } }))
        )(events);
      },
      '/normal': (events) => {
        events.emit('custom_after_bad_input');
      },
    },
  });
  for (const path of ['/bad', '/normal']) {
    const response = await fetch(`${app.url}${path}`);
    expect(`${response.status} ${await response.text()}`).toBe('200 ok');
  }
  // Requests are recorded when their response has finished, which may trail the response.
  const expected = testCase.requestEmitted ?? 4;
  await waitUntil(() => app.client.stats().emitted >= expected, `${expected} events`, 2000).catch(
    () => {},
  );
  await app.close(10_000);
  const stats = app.client.stats();
  expect(stats.emitted).toBe(expected);
  return {
    accepted,
    thrown: app.appErrors,
    errors: 'onError' in clientOptions ? undefined : errors,
    stats,
  };
}

it('covers at least 30 kinds of bad input', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(30);
  expect(new Set(CASES.map((testCase) => testCase.name)).size).toBe(CASES.length);
});

for (const testCase of CASES) {
  describe(testCase.name, () => {
    if (testCase.emit) {
      it('through client.emit', async () => {
        expectHandled(testCase, testCase.invalid?.emit, await throughClient(testCase));
      });
    }

    it.each(FRAMEWORKS)('through the %s adapter', async (framework) => {
      const outcome = await throughAdapter(testCase, framework);
      expectHandled(testCase, testCase.invalid?.request, outcome);
      if (testCase.reportedCallback) expectReported(testCase, outcome);
    });
  });
}
