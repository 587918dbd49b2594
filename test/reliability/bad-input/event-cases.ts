import type { EventAction } from '@authentik-events/core';
import { expect } from 'vitest';
import { BAD_ACTION, type BadInputCase, revokedProxy, rewriteBadEvent } from './case.js';

const REFUSED = { emit: 'at-emit', request: 'at-emit' } as const;
/** The adapter API cannot set app or expires: a beforeSend that sets them is the adapter's path. */
const REFUSED_AT_EMIT_OR_SEND = { emit: 'at-emit', request: 'when-sent' } as const;

/** A case for a top-level field the adapter fills from a callback. */
function ipCase(ip: unknown, stored: string | null): BadInputCase {
  return {
    name: `client IP ${JSON.stringify(ip)}`,
    emit: () => ({ action: BAD_ACTION, clientIp: ip }),
    adapter: () => ({ clientIp: () => ip }),
    check: (event) => expect(event.client_ip).toBe(stored),
  };
}

function appCase(name: string, app: string): BadInputCase {
  return {
    name,
    emit: () => ({ action: BAD_ACTION, app }),
    adapter: () => ({ beforeSend: rewriteBadEvent((event) => ({ ...event, app })) }),
    invalid: REFUSED_AT_EMIT_OR_SEND,
  };
}

/** Bad top-level fields of an event, and events that are not events at all. */
export const eventCases: BadInputCase[] = [
  {
    name: 'an unknown action',
    emit: () => ({ action: 'definitely_not_an_action' }),
    request: (events) => events.emit('definitely_not_an_action' as EventAction),
    invalid: REFUSED,
  },
  {
    name: 'an action that is not a string',
    emit: () => ({ action: 42 }),
    request: (events) => events.emit(42 as unknown as EventAction),
    invalid: REFUSED,
  },
  {
    name: 'a custom action with a blank name',
    emit: () => ({ action: 'custom_   ' }),
    request: (events) => events.emit('custom_   '),
    invalid: REFUSED,
  },
  appCase('an empty app', ''),
  appCase('a whitespace app', '  \t '),
  appCase('an app with a NUL character', 'my\u0000app'),
  appCase('an app with a lone surrogate', 'billing\uD800'),
  {
    name: 'a custom action whose name is only a NUL character',
    emit: () => ({ action: 'custom_\u0000' }),
    request: (events) => events.emit('custom_\u0000'),
    invalid: REFUSED,
  },
  {
    // PostgreSQL refuses NUL in jsonb: authentik would answer 500 to every retry.
    name: 'a custom action name with a NUL character inside',
    emit: () => ({ action: 'custom_bad_\u0000input' }),
    request: (events) => events.emit('custom_bad_\u0000input'),
    check: (event) => expect(event.context.custom_action).toBe('bad_input'),
  },
  {
    name: 'an expires after the year 9999',
    emit: () => ({ action: BAD_ACTION, expires: new Date('+010000-01-01T00:00:00Z') }),
    adapter: () => ({
      beforeSend: rewriteBadEvent((event) => ({ ...event, expires: '+010000-01-01T00:00:00Z' })),
    }),
    invalid: REFUSED_AT_EMIT_OR_SEND,
  },
  {
    name: 'an expires before the year 1',
    emit: () => ({ action: BAD_ACTION, expires: '-000001-01-01T00:00:00Z' }),
    adapter: () => ({
      beforeSend: rewriteBadEvent((event) => ({ ...event, expires: '-000001-01-01T00:00:00Z' })),
    }),
    invalid: REFUSED_AT_EMIT_OR_SEND,
  },
  ipCase('1.2.3.4:80', null),
  ipCase('::ffff:1.2.3.4', '1.2.3.4'),
  ipCase('[::1]', null),
  ipCase('999.1.1.1', null),
  ipCase('fe80::1%eth0', 'fe80::1'),
  ipCase(42, null),
  {
    name: 'an expires that is not a date',
    emit: () => ({ action: BAD_ACTION, expires: 'next tuesday' }),
    adapter: () => ({
      beforeSend: rewriteBadEvent((event) => ({ ...event, expires: 'next tuesday' })),
    }),
    invalid: REFUSED_AT_EMIT_OR_SEND,
  },
  {
    name: 'an invalid Date as expires',
    emit: () => ({ action: BAD_ACTION, expires: new Date(Number.NaN) }),
    adapter: () => ({
      beforeSend: rewriteBadEvent((event) => ({ ...event, expires: new Date(Number.NaN) })),
    }),
    invalid: REFUSED_AT_EMIT_OR_SEND,
  },
  {
    name: 'a user that is a string',
    emit: () => ({ action: BAD_ACTION, user: 'bob' }),
    request: (events) => events.emit(BAD_ACTION, { user: 'bob' as never }),
    invalid: REFUSED,
  },
  {
    name: 'a user that is an array',
    emit: () => ({ action: BAD_ACTION, user: ['bob'] }),
    request: (events) => events.emit(BAD_ACTION, { user: ['bob'] as never }),
    invalid: REFUSED,
  },
  {
    name: 'a brand that is not an object',
    emit: () => ({ action: BAD_ACTION, brand: 'acme' }),
    // The adapter's brand comes from its option: a garbage result is reported and left out.
    adapter: () => ({ brand: () => 'acme' }),
    invalid: { emit: 'at-emit' },
    check: (event) => expect(event.brand.name).toBe('Brand fallback'),
  },
  {
    name: 'a context that is a string',
    emit: () => ({ action: BAD_ACTION, context: 'text' }),
    request: (events) => events.emit(BAD_ACTION, { context: 'text' as never }),
    invalid: REFUSED,
  },
  {
    name: 'a context that is an array',
    emit: () => ({ action: BAD_ACTION, context: ['a', 'b'] }),
    request: (events) => events.emit(BAD_ACTION, { context: ['a', 'b'] as never }),
    invalid: REFUSED,
  },
  {
    name: 'no event at all (null)',
    emit: () => null,
    request: (events) => events.emit(BAD_ACTION, null as never),
    invalid: { emit: 'at-emit' },
  },
  {
    name: 'a string instead of an event',
    emit: () => 'login',
    request: (events) => events.emit(BAD_ACTION, 'login' as never),
    invalid: { emit: 'at-emit' },
  },
  {
    name: 'the event (or its options) a revoked Proxy',
    emit: revokedProxy,
    request: (events) => events.emit(BAD_ACTION, revokedProxy()),
    invalid: REFUSED,
  },
  {
    name: 'a getter that throws on the event (or its options)',
    emit: () => ({
      action: BAD_ACTION,
      get context(): never {
        throw new Error('event getter exploded');
      },
    }),
    request: (events) =>
      events.emit(BAD_ACTION, {
        get context(): never {
          throw new Error('event getter exploded');
        },
      }),
    invalid: REFUSED,
  },
];
