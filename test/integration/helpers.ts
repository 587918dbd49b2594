import {
  type AuthentikEventsError,
  type ClientOptions,
  type ClientStats,
  createEventClient,
  DROP_REASONS,
  type DroppedEvent,
  type DropReason,
  type EventClient,
} from '@authentik-events/core';
import {
  type FakeAuthentik,
  type FakeAuthentikOptions,
  type RecordedRequest,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterEach, expect } from 'vitest';
import { classAccountingProblems } from '../reliability/support/accounting.js';
import { eventRequestErrors } from './event-request-schema.js';

export const EVENTS_PATH = '/api/v3/events/events/';
export { NO_DROPS } from '../reliability/support/accounting.js';
export const REDACTED = '********************';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Short delays so that retries and flushes take milliseconds, not the defaults' seconds. */
export const FAST: ClientOptions = {
  app: 'integration-tests',
  flushIntervalMs: 20,
  retry: { minDelayMs: 10, maxDelayMs: 200 },
};

/** `emitted === queued + inFlight + delivered + sum(dropped)`, the client's core promise. */
export function expectAccounting(stats: ClientStats): void {
  const dropped = DROP_REASONS.reduce((sum, reason) => sum + stats.dropped[reason], 0);
  expect(
    stats.queued + stats.inFlight + stats.delivered + dropped,
    `accounting identity broken: ${JSON.stringify(stats)}`,
  ).toBe(stats.emitted);
  expect(classAccountingProblems(stats), `by class: ${JSON.stringify(stats.byClass)}`).toEqual([]);
}

/** The event POSTs the fake received (resets and timeouts included). */
export function eventPosts(fake: FakeAuthentik): RecordedRequest[] {
  return fake.requests.filter((r) => r.method === 'POST' && r.path === EVENTS_PATH);
}

/**
 * Every event body the fake read is a valid authentik EventRequest. Bodies reset before the
 * fake read them are empty and skipped. Returns how many were checked.
 */
export function expectValidBodies(fake: FakeAuthentik): number {
  const bodies = eventPosts(fake).filter((r) => r.body !== '');
  const problems = bodies.flatMap((r) =>
    eventRequestErrors(r.body).map((e) => `${e} in ${r.body.slice(0, 300)}`),
  );
  expect(problems).toEqual([]);
  return bodies.length;
}

/** `context.event_id` of each stored event, in storage order (duplicates kept). */
export function storedIds(fake: FakeAuthentik): string[] {
  return fake.events.map((e) => e.context.event_id as string);
}

export interface Harness {
  client: EventClient;
  /** Everything handed to `onError`, in order. */
  errors: AuthentikEventsError[];
  /** Every `onDrop` call, in order. */
  drops: Array<{ reason: DropReason; events: DroppedEvent[] }>;
}

const fakes: FakeAuthentik[] = [];
const clients: EventClient[] = [];
const cleanups: Array<() => Promise<void>> = [];

/** A quiet fake, closed after the test once its bodies have been checked against the schema. */
export async function startFake(options: FakeAuthentikOptions = {}): Promise<FakeAuthentik> {
  const fake = await startFakeAuthentik({ quiet: true, ...options });
  fakes.push(fake);
  return fake;
}

/** A client of `fake` with FAST delays, collecting errors and drops; closed after the test. */
export function connect(fake: FakeAuthentik, options: ClientOptions = {}): Harness {
  const errors: AuthentikEventsError[] = [];
  const drops: Harness['drops'] = [];
  const client = createEventClient({
    url: fake.url,
    token: fake.token,
    ...FAST,
    ...options,
    onError: (error) => errors.push(error),
    onDrop: (events, reason) => drops.push({ reason, events }),
  });
  clients.push(client);
  return { client, errors, drops };
}

/** Closes a client made without `connect` after the test, and checks its accounting. */
export function track(client: EventClient): EventClient {
  clients.push(client);
  return client;
}

/** Runs after the test, before the fakes close (e.g. a relay in front of a fake). */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** Polls `condition` every 5 ms; a safety net, not a speed claim: fails after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// After every test: close each client (the identity must hold after close too), check every
// body each fake received against the schema, then close the fakes.
afterEach(async () => {
  const openClients = clients.splice(0);
  const openFakes = fakes.splice(0);
  const openCleanups = cleanups.splice(0);
  try {
    for (const client of openClients) {
      await client.close({ timeoutMs: 2000 });
      expectAccounting(client.stats());
    }
    for (const fake of openFakes) expectValidBodies(fake);
  } finally {
    for (const cleanup of openCleanups) await cleanup();
    await Promise.all(openFakes.map((fake) => fake.close()));
  }
});
