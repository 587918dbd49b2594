import {
  type ClassStats,
  type ClientStats,
  DROP_REASONS,
  type DropCounts,
  EVENT_CLASSES,
  type EventClient,
} from '@authentik-events/core';
import type { StoredEvent } from '@authentik-events/testing';
import { expect } from 'vitest';

/** `stats().dropped` with nothing dropped, every reason spelled out. */
export const NO_DROPS = Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as DropCounts;

/** What became of a scenario's events, as the fake stored them and the client counted them. */
export interface Tally {
  emitted: number;
  /** Distinct `context.event_id`s the fake stored. */
  stored: number;
  /** Extra copies of an event the fake stored (same `context.event_id` stored more than once). */
  duplicates: number;
  dropped: Partial<DropCounts>;
}

export function sumDropped(stats: ClientStats): number {
  return Object.values(stats.dropped).reduce((sum, count) => sum + count, 0);
}

/**
 * What is wrong with `stats().byClass` (empty when nothing): the classes add up to the totals,
 * and no class has more events queued, delivered or dropped than it emitted; the events in
 * flight are the classes' remainders.
 */
export function classAccountingProblems(stats: ClientStats): string[] {
  const problems: string[] = [];
  const classes = EVENT_CLASSES.map((eventClass) => stats.byClass[eventClass]);
  const total = (count: (each: ClassStats) => number) =>
    classes.reduce((sum, each) => sum + count(each), 0);
  const droppedOf = (each: ClassStats) =>
    Object.values(each.dropped).reduce((sum, count) => sum + count, 0);
  if (total((each) => each.emitted) !== stats.emitted) problems.push('emitted');
  if (total((each) => each.queued) !== stats.queued) problems.push('queued');
  if (total((each) => each.delivered) !== stats.delivered) problems.push('delivered');
  for (const reason of DROP_REASONS)
    if (total((each) => each.dropped[reason]) !== stats.dropped[reason])
      problems.push(`dropped.${reason}`);
  const inFlight = classes.map(
    (each) => each.emitted - each.queued - each.delivered - droppedOf(each),
  );
  if (inFlight.some((count) => count < 0)) problems.push('a class settled more than it emitted');
  if (inFlight.reduce((sum, count) => sum + count, 0) !== stats.inFlight) problems.push('inFlight');
  return problems;
}

/**
 * `emitted = queued + inFlight + delivered + sum(dropped)`, the client's accounting identity,
 * and the same for each class of event.
 */
export function identityHolds(stats: ClientStats): boolean {
  return (
    stats.emitted === stats.queued + stats.inFlight + stats.delivered + sumDropped(stats) &&
    classAccountingProblems(stats).length === 0
  );
}

/** How many times the fake stored each event, keyed by `context.event_id`. */
export function copiesById(events: readonly StoredEvent[]): Map<string, number> {
  const copies = new Map<string, number>();
  for (const event of events) {
    const id = event.context.event_id;
    expect(typeof id, 'every stored event carries context.event_id').toBe('string');
    copies.set(id as string, (copies.get(id as string) ?? 0) + 1);
  }
  return copies;
}

/**
 * The checks every scenario ends with, after the app's close(): the client is drained, the
 * identity holds, and every emitted event is either stored (once or more) or counted as dropped.
 */
export function expectAccounted(stats: ClientStats, events: readonly StoredEvent[]): Tally {
  const copies = copiesById(events);
  expect({
    queued: stats.queued,
    inFlight: stats.inFlight,
    queuedBytes: stats.queuedBytes,
  }).toEqual({
    queued: 0,
    inFlight: 0,
    queuedBytes: 0,
  });
  expect(identityHolds(stats), JSON.stringify(stats)).toBe(true);
  expect(copies.size, 'distinct stored events = delivered').toBe(stats.delivered);
  expect(copies.size + sumDropped(stats), 'stored + dropped = emitted').toBe(stats.emitted);
  const dropped: Partial<DropCounts> = {};
  for (const [reason, count] of Object.entries(stats.dropped)) {
    if (count > 0) dropped[reason as keyof DropCounts] = count;
  }
  return {
    emitted: stats.emitted,
    stored: copies.size,
    duplicates: events.length - copies.size,
    dropped,
  };
}

/** The one-line summary each scenario prints. */
export function printSummary(
  scenario: string,
  tally: Tally,
  extra: Record<string, unknown> = {},
): void {
  const extras = Object.entries(extra)
    .map(([key, value]) => ` ${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`)
    .join('');
  console.log(
    `[${scenario}] emitted=${tally.emitted} stored=${tally.stored} duplicates=${tally.duplicates} dropped=${JSON.stringify(tally.dropped)}${extras}`,
  );
}

export interface StatsSamples {
  count: number;
  maxQueued: number;
  maxQueuedBytes: number;
  /** Samples at which the accounting identity did not hold (must stay 0). */
  identityBroken: number;
}

/** Samples `client.stats()` every few ms while a scenario runs, to check bounds "throughout". */
export function sampleStats(client: EventClient, everyMs = 5): { stop(): StatsSamples } {
  const samples: StatsSamples = { count: 0, maxQueued: 0, maxQueuedBytes: 0, identityBroken: 0 };
  const take = () => {
    const stats = client.stats();
    samples.count++;
    samples.maxQueued = Math.max(samples.maxQueued, stats.queued);
    samples.maxQueuedBytes = Math.max(samples.maxQueuedBytes, stats.queuedBytes);
    if (!identityHolds(stats)) samples.identityBroken++;
  };
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Waits (polling) until `condition` holds; a safety net for events that land after a response. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
