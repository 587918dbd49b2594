import type { AuthentikEventsError } from '@authentik-events/core';
import {
  type FakeAuthentik,
  type FakeAuthentikOptions,
  type StoredEvent,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterEach, expect } from 'vitest';
import { type Answer, type SendOptions, send } from './http-client.js';
import { startApp } from './start-app.js';
import type { AppHandle, EventsOptions, Framework, HarnessOptions } from './types.js';

export const APP_NAME = 'scenario-app';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Scenario {
  fake: FakeAuthentik;
  app: AppHandle;
  /** Everything the client's onError received. */
  errors: AuthentikEventsError[];
}

export interface ScenarioOptions {
  fake?: FakeAuthentikOptions;
  /** Adapter options on top of the fast defaults; a function gets the fake (to build a shared `client`). */
  events?: EventsOptions | ((fake: FakeAuthentik) => EventsOptions);
  harness?: HarnessOptions;
}

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  // Every cleanup runs even when one fails, so a broken test leaks no server into the next.
  const results = [];
  for (const cleanup of cleanups.splice(0).reverse())
    results.push(
      await cleanup().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
  const failure = results.find((error) => error !== undefined);
  if (failure !== undefined) throw failure;
});

/** Runs `cleanup` after the current test, last registered first. */
export function afterThisTest(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

/** Adapter options that deliver quickly to `fake` and record every error. */
export function fastOptions(fake: FakeAuthentik, errors: AuthentikEventsError[]): EventsOptions {
  return {
    url: fake.url,
    token: fake.token,
    app: APP_NAME,
    // Short waits keep the suite fast; the assertions do not depend on them.
    flushIntervalMs: 10,
    requestTimeoutMs: 2000,
    retry: { minDelayMs: 5, maxDelayMs: 50 },
    ignore: ['/health'],
    onError: (error) => errors.push(error),
  };
}

/** A quiet fake and an app on `framework` delivering to it, both closed after the test. */
export async function startScenario(
  framework: Framework,
  options: ScenarioOptions = {},
): Promise<Scenario> {
  const fake = await startFakeAuthentik({ quiet: true, ...options.fake });
  afterThisTest(() => fake.close());
  const errors: AuthentikEventsError[] = [];
  const events = typeof options.events === 'function' ? options.events(fake) : options.events;
  // A shared client was configured where it was made: the client options here would be refused.
  const defaults = fastOptions(fake, errors);
  const base = events?.client === undefined ? defaults : { ignore: defaults.ignore };
  const app = await startApp(framework, { ...base, ...events }, options.harness);
  afterThisTest(async () => {
    await app.shutdown();
    // A shared client is the test's to close; closing twice is harmless.
    await app.client.close({ timeoutMs: 1000 });
  });
  return { fake, app, errors };
}

/**
 * Waits for `n` stored events, then flushes the client so that nothing emitted so far is still
 * on its way: afterwards `fake.events` is complete, and an event that is missing was never sent.
 */
export async function settled(scenario: Scenario, n: number): Promise<StoredEvent[]> {
  await scenario.fake.waitForEvents(n);
  await scenario.app.client.flush({ timeoutMs: 5000 });
  return scenario.fake.events;
}

/** The one stored event with this wire action (and custom action), failing loudly if not exactly one. */
export function only(events: StoredEvent[], action: string, customAction?: string): StoredEvent {
  const matching = events.filter(
    (event) =>
      event.action === action &&
      (customAction === undefined || event.context.custom_action === customAction),
  );
  if (matching.length !== 1) {
    throw new Error(
      `expected one ${customAction ?? action} event, found ${matching.length}: ${JSON.stringify(events.map((e) => e.context.custom_action ?? e.action))}`,
    );
  }
  return matching[0] as StoredEvent;
}

/** The request event (`custom_` / `http_request`) of the one request recorded. */
export function requestEvent(events: StoredEvent[]): StoredEvent {
  return only(events, 'custom_', 'http_request');
}

/** Sends a request to the app and checks the status it answered with. */
export async function sendExpecting(
  app: AppHandle,
  status: number,
  options: SendOptions,
): Promise<Answer> {
  const answer = await send(app.baseUrl, options);
  expect(answer.status, `${options.method ?? 'GET'} ${options.path}`).toBe(status);
  return answer;
}
