import { CallbackError } from '@authentik-events/core';
import type { StoredEvent } from '@authentik-events/testing';
import { describe, expect, it } from 'vitest';
import { emitFromCallback } from './harness/request-access.js';
import { requestEvent, sendExpecting, settled, startScenario } from './harness/scenario.js';
import { type EventsOptions, FRAMEWORKS } from './harness/types.js';

const SESSION_USER = { id: 5, username: 'jane' };

function offline(): never {
  throw new Error('directory offline');
}

interface BrokenCallback {
  name: string;
  options: EventsOptions;
  /** The error message onError receives. */
  message: string;
  /** What the event looks like without the broken part. */
  check(event: StoredEvent): void;
}

const BROKEN: BrokenCallback[] = [
  {
    name: 'user throws',
    options: { user: offline },
    message: 'user: threw: Error: directory offline',
    check: (event) => expect(event.user).toEqual({}),
  },
  {
    name: 'user returns a string',
    options: { user: () => 'jane' as never },
    message: 'user: returned string, expected an object such as {pk, username, email}',
    check: (event) => expect(event.user).toEqual({}),
  },
  {
    name: 'user returns a Promise',
    options: { user: (async () => ({ pk: 1 })) as never },
    message: 'user: returned a Promise; callbacks must be synchronous',
    check: (event) => expect(event.user).toEqual({}),
  },
  {
    name: 'brand throws',
    options: { brand: offline },
    message: 'brand: threw: Error: directory offline',
    check: (event) => expect(event.brand).toMatchObject({ name: 'Brand fallback' }),
  },
  {
    name: 'brand returns a number',
    options: { brand: () => 42 as never },
    message: 'brand: returned number, expected an object such as {pk, name}',
    check: (event) => expect(event.brand).toMatchObject({ name: 'Brand fallback' }),
  },
  {
    name: 'context throws',
    options: { context: offline },
    message: 'context: threw: Error: directory offline',
    check: (event) =>
      expect(Object.keys(event.context).sort()).toEqual([
        'custom_action',
        'duration_ms',
        'event_id',
        'http_request',
        'status',
      ]),
  },
  {
    name: 'context returns a string',
    options: { context: () => 'tenant-a' as never },
    message: 'context: returned string, expected an object',
    check: (event) =>
      expect(Object.keys(event.context).sort()).toEqual([
        'custom_action',
        'duration_ms',
        'event_id',
        'http_request',
        'status',
      ]),
  },
  {
    name: 'clientIp throws',
    options: { clientIp: offline },
    message: 'clientIp: threw: Error: directory offline',
    check: (event) => expect(event.client_ip).toBeNull(),
  },
  {
    // A Promise is truthy: it used to ignore every request, in silence.
    name: 'ignore returns a Promise',
    options: { ignore: (async () => false) as never },
    message: 'ignore: returned a Promise; callbacks must be synchronous',
    check: (event) => expect(event.context.http_request).toMatchObject({ path: '/me' }),
  },
  {
    name: 'ignore throws',
    options: { ignore: offline },
    message: 'ignore: threw: Error: directory offline',
    check: (event) => expect(event.context.http_request).toMatchObject({ path: '/me' }),
  },
];

describe.each(FRAMEWORKS)('%s: a broken callback never breaks the request', (framework) => {
  it.each(BROKEN)(
    '$name: answered, sent without that part, reported',
    async ({ options, message, check }) => {
      const scenario = await startScenario(framework, {
        events: options,
        harness: { sessionUser: SESSION_USER },
      });
      await sendExpecting(scenario.app, 200, { path: '/me' });

      const events = await settled(scenario, 1);
      expect(events).toHaveLength(1);
      const event = requestEvent(events);
      check(event);
      expect(event.context.status).toBe(200);
      expect(scenario.errors).toHaveLength(1);
      expect(scenario.errors[0]).toBeInstanceOf(CallbackError);
      expect(scenario.errors[0]?.message).toBe(message);
    },
  );
});

// Callbacks run for every event of a request; one that emits would run itself again.
/** What each emit from inside a callback returned (`undefined`: no events API to call yet). */
const emitted: Array<boolean | undefined> = [];
/** A callback that emits from inside, then answers `value`. */
const emitting =
  <T>(value: T) =>
  (...args: unknown[]): T => {
    emitted.push(emitFromCallback(args[args.length - 1], 'custom_from_callback'));
    return value;
  };
const REENTRANT: Array<{ name: string; options: EventsOptions }> = [
  { name: 'context', options: { context: emitting({ tenant: 'a' }) } },
  { name: 'user', options: { user: emitting({ pk: 1, username: 'jane' }) } },
  { name: 'brand', options: { brand: emitting({ name: 'b' }) } },
  { name: 'clientIp', options: { clientIp: emitting('203.0.113.7') } },
  { name: 'ignore', options: { ignore: emitting(false) } },
];

describe.each(FRAMEWORKS)(
  '%s: re-entrant callbacks: an emit from inside a callback never recurses',
  (framework) => {
    it.each(REENTRANT)(
      '$name calls emit: refused and counted, the request answered and recorded',
      async ({ name, options }) => {
        emitted.length = 0;
        const scenario = await startScenario(framework, { events: options });
        await sendExpecting(scenario.app, 200, { path: '/me' });
        const events = await settled(scenario, 1);
        expect(requestEvent(events).context.status).toBe(200);
        const stats = scenario.app.client.stats();
        // The request's own event, and at most a few refused calls: not thousands.
        expect(stats.emitted).toBeLessThan(5);
        expect(stats.delivered).toBe(events.length);
        // The callbacks that build events run with the request's events API at hand, and the
        // emit was really made, and refused (`ignore` runs before the API exists on some).
        if (name !== 'ignore') expect(emitted).toContain(false);
        expect(emitted).not.toContain(true);
      },
    );
  },
);
