import { expect } from 'vitest';
import { BAD_ACTION, type BadInputCase, revokedProxy, rewriteBadEvent } from './case.js';

const explode = (what: string) => () => {
  throw new Error(`${what} exploded`);
};

/** An adapter callback that throws or returns garbage: reported, and the event goes on without it. */
function adapterCallbackCase(
  name: string,
  option: string,
  callback: () => unknown,
  check?: BadInputCase['check'],
  /** null: the callback did not fail, nothing is reported. */
  reportedCallback: string | null = option,
): BadInputCase {
  return {
    name,
    adapter: () => ({ [option]: callback }),
    check,
    reportedCallback: reportedCallback ?? undefined,
  };
}

const noUser = (event: { user: Record<string, unknown> }) => expect(event.user).toEqual({});
const fallbackBrand = (event: { brand: Record<string, unknown> }) =>
  expect(event.brand.name).toBe('Brand fallback');
const noIp = (event: { client_ip: string | null }) => expect(event.client_ip).toBeNull();

/** An object whose one property throws when read. */
const withThrowingGetter = () => ({
  get pk(): never {
    throw new Error('getter exploded');
  },
});

/** Callbacks (the adapters' and the client's) that throw or return garbage. */
export const callbackCases: BadInputCase[] = [
  adapterCallbackCase('a user callback that throws', 'user', explode('user'), noUser),
  adapterCallbackCase('a user callback that returns a string', 'user', () => 'bob', noUser),
  adapterCallbackCase(
    'a user callback that returns a Promise',
    'user',
    async () => ({ pk: 1 }),
    noUser,
  ),
  adapterCallbackCase('a user callback that returns a revoked Proxy', 'user', revokedProxy, noUser),
  adapterCallbackCase(
    'a user callback whose object has a throwing getter',
    'user',
    withThrowingGetter,
    noUser,
  ),
  adapterCallbackCase('a brand callback that throws', 'brand', explode('brand'), fallbackBrand),
  adapterCallbackCase(
    'a brand callback whose object has a throwing getter',
    'brand',
    withThrowingGetter,
    fallbackBrand,
  ),
  adapterCallbackCase('a brand callback that returns a number', 'brand', () => 42, fallbackBrand),
  adapterCallbackCase(
    'a brand callback that returns a revoked Proxy',
    'brand',
    revokedProxy,
    fallbackBrand,
  ),
  adapterCallbackCase('a context callback that throws', 'context', explode('context')),
  adapterCallbackCase(
    'a context callback that returns a string',
    'context',
    () => 'text',
    (event) =>
      expect(Object.keys(event.context).sort()).toEqual([
        'case',
        'custom_action',
        'event_id',
        'http_request',
      ]),
  ),
  adapterCallbackCase('a context callback that returns a revoked Proxy', 'context', revokedProxy),
  adapterCallbackCase(
    'a context callback whose object has a throwing getter',
    'context',
    withThrowingGetter,
    (event) => expect(event.context).not.toHaveProperty('pk'),
  ),
  adapterCallbackCase('a clientIp callback that throws', 'clientIp', explode('clientIp'), noIp),
  // Not an IP, so null, like any other value that is not an IP (not reported: no callback failed).
  adapterCallbackCase(
    'a clientIp callback that returns an object',
    'clientIp',
    () => ({ ip: '1.2.3.4' }),
    noIp,
    null,
  ),
  adapterCallbackCase('an ignore callback that throws', 'ignore', explode('ignore')),
  {
    // Any truthy answer means "ignore": the requests are not recorded, the app's own events are.
    name: 'an ignore callback that returns garbage',
    adapter: () => ({ ignore: () => 'yes' }),
    requestEmitted: 2,
  },
  {
    name: 'a beforeSend that throws',
    emit: () => ({ action: BAD_ACTION }),
    client: () => ({ beforeSend: rewriteBadEvent(explode('beforeSend')) }),
    invalid: { emit: 'when-sent', request: 'when-sent' },
  },
  {
    name: 'a beforeSend that returns a string',
    emit: () => ({ action: BAD_ACTION }),
    client: () => ({ beforeSend: rewriteBadEvent(() => 'not an event') }),
    invalid: { emit: 'when-sent', request: 'when-sent' },
  },
  {
    name: 'a beforeSend that returns an event authentik would refuse',
    emit: () => ({ action: BAD_ACTION }),
    client: () => ({
      beforeSend: rewriteBadEvent((event) => ({
        ...event,
        action: 'bogus',
        client_ip: '1.2.3.4:80',
      })),
    }),
    invalid: { emit: 'when-sent', request: 'when-sent' },
  },
  {
    name: 'a beforeSend that returns a revoked Proxy',
    emit: () => ({ action: BAD_ACTION }),
    client: () => ({ beforeSend: rewriteBadEvent(revokedProxy) }),
    invalid: { emit: 'when-sent', request: 'when-sent' },
  },
  {
    name: 'a beforeSend that adds values with no JSON form',
    emit: () => ({ action: BAD_ACTION }),
    client: () => ({
      beforeSend: rewriteBadEvent((event) => {
        const context: Record<string, unknown> = {
          ...(event.context as object),
          big: 1n,
          fn: () => 1,
        };
        context.self = context;
        return { ...event, context };
      }),
    }),
    check: (event) => {
      expect(event.context.big).toBe('1');
      expect((event.context.self as Record<string, unknown>).self).toBe('[Circular]');
      expect(event.context).not.toHaveProperty('fn');
    },
  },
  {
    name: 'an onError that throws (on an invalid event)',
    emit: () => ({ action: 'definitely_not_an_action' }),
    request: (events) => events.emit('definitely_not_an_action' as never),
    client: () => ({ onError: explode('onError') }),
    invalid: { emit: 'at-emit', request: 'at-emit' },
  },
  {
    name: 'an onDrop that throws (on an invalid event)',
    emit: () => ({ action: 'definitely_not_an_action' }),
    request: (events) => events.emit('definitely_not_an_action' as never),
    client: () => ({ onDrop: explode('onDrop') }),
    invalid: { emit: 'at-emit', request: 'at-emit' },
  },
  {
    name: 'an onDrop and an onError that both throw',
    emit: () => ({ action: 'definitely_not_an_action' }),
    request: (events) => events.emit('definitely_not_an_action' as never),
    client: () => ({ onDrop: explode('onDrop'), onError: explode('onError') }),
    invalid: { emit: 'at-emit', request: 'at-emit' },
  },
];
