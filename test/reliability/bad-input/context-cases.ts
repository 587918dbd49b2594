import { expect } from 'vitest';
import { type BadInputCase, contextCase, revokedProxy } from './case.js';

const TEN_MB = 10 * 1024 * 1024;
const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

function nested(depth: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

/** Context values with no JSON form, or that break a naive JSON.stringify or a database. */
export const contextCases: BadInputCase[] = [
  contextCase(
    'circular context',
    () => {
      const context: Record<string, unknown> = { kept: 1 };
      context.self = context;
      context.list = [context];
      return context;
    },
    // emit snapshots the top level, so the cycle is marked where it closes, one level down; the
    // context reached again under list is the copy made under self.
    (event) =>
      expect(event.context).toMatchObject({
        kept: 1,
        self: { kept: 1, self: '[Circular]', list: ['[Circular]'] },
        list: [{ kept: 1, self: '[Circular]', list: ['[Circular]'] }],
      }),
  ),
  contextCase(
    'mutual cycle through two objects',
    () => {
      const a: Record<string, unknown> = {};
      const b: Record<string, unknown> = { a };
      a.b = b;
      return { a };
    },
    (event) => expect(event.context.a).toEqual({ b: { a: '[Circular]' } }),
  ),
  contextCase(
    'BigInt values',
    () => ({ big: 12345678901234567890n, nested: { negative: -1n } }),
    (event) =>
      expect(event.context).toMatchObject({
        big: '12345678901234567890',
        nested: { negative: '-1' },
      }),
  ),
  contextCase(
    'Symbol values and keys',
    () => ({ symbol: Symbol('s'), [Symbol('key')]: 1, list: [Symbol('item')], kept: true }),
    (event) => {
      expect(event.context).not.toHaveProperty('symbol');
      expect(event.context).toMatchObject({ list: [null], kept: true });
    },
  ),
  contextCase(
    'function values',
    () => ({ fn: () => 1, klass: class Thing {}, list: [function named() {}], kept: true }),
    (event) => {
      expect(event.context).not.toHaveProperty('fn');
      expect(event.context).not.toHaveProperty('klass');
      expect(event.context).toMatchObject({ list: [null], kept: true });
    },
  ),
  contextCase(
    'a Buffer',
    () => ({ buffer: Buffer.from('twelve bytes') }),
    (event) => expect(event.context.buffer).toBe('[Buffer 12 bytes]'),
  ),
  contextCase(
    'typed arrays, ArrayBuffer and DataView',
    () => ({
      u8: new Uint8Array(4),
      f64: new Float64Array(2),
      raw: new ArrayBuffer(8),
      view: new DataView(new ArrayBuffer(3)),
    }),
    (event) =>
      expect(event.context).toMatchObject({
        u8: '[Uint8Array 4 bytes]',
        f64: '[Float64Array 16 bytes]',
        raw: '[ArrayBuffer 8 bytes]',
        view: '[DataView 3 bytes]',
      }),
  ),
  contextCase(
    'Map and Set',
    () => ({
      map: new Map<unknown, unknown>([
        ['a', 1],
        [{ k: 1 }, 2],
      ]),
      set: new Set([1, 'two']),
    }),
    (event) =>
      expect(event.context).toMatchObject({ map: { a: 1, '[object Object]': 2 }, set: [1, 'two'] }),
  ),
  contextCase(
    'a valid Date',
    () => ({ at: new Date('2024-05-06T07:08:09.000Z') }),
    (event) => expect(event.context.at).toBe('2024-05-06T07:08:09.000Z'),
  ),
  contextCase(
    'an invalid Date',
    () => ({ at: new Date('not a date') }),
    (event) => expect(event.context.at).toBeNull(),
  ),
  contextCase(
    'an Error with a cause chain',
    () => ({ error: new Error('outer', { cause: new TypeError('inner', { cause: 'root' }) }) }),
    (event) =>
      expect(event.context.error).toEqual({
        name: 'Error',
        message: 'outer',
        cause: { name: 'TypeError', message: 'inner', cause: 'root' },
      }),
  ),
  contextCase(
    'an Error that is its own cause',
    () => {
      const error = new Error('loop');
      error.cause = error;
      return { error };
    },
    (event) =>
      expect(event.context.error).toEqual({ name: 'Error', message: 'loop', cause: '[Circular]' }),
  ),
  contextCase(
    'a 10 MB string',
    () => ({ blob: 'x'.repeat(TEN_MB) }),
    (event) => {
      expect(String(event.context.blob).endsWith('…[truncated]')).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(event.context))).toBeLessThan(
        DEFAULT_MAX_EVENT_BYTES,
      );
    },
  ),
  contextCase(
    'a 10 MB string inside a list',
    () => ({ list: ['short', 'y'.repeat(TEN_MB)] }),
    (event) => {
      const list = event.context.list as string[];
      expect(list[0]).toBe('short');
      expect(list[1]?.endsWith('…[truncated]')).toBe(true);
    },
  ),
  contextCase(
    '1000-deep nested objects',
    () => ({ deep: nested(1000, (inner) => ({ inner })) }),
    (event) => expect(JSON.stringify(event.context)).toContain('[Truncated: too deep]'),
  ),
  contextCase(
    '1000-deep nested arrays',
    () => ({ deep: nested(1000, (inner) => [inner]) }),
    (event) => expect(JSON.stringify(event.context)).toContain('[Truncated: too deep]'),
  ),
  contextCase(
    'NUL characters in keys and values',
    () => ({ 'na\u0000me': 'va\u0000lue', list: ['\u0000'] }),
    (event) => expect(event.context).toMatchObject({ name: 'value', list: [''] }),
  ),
  contextCase(
    'lone surrogates in keys and values',
    () => ({ '\uD800name': 'a\uDC00b', pair: '\u{1F600}' }),
    (event) => expect(event.context).toMatchObject({ '\uFFFDname': 'a\uFFFDb', pair: '\u{1F600}' }),
  ),
  contextCase(
    'a JSON.parse-created __proto__ own key',
    () => JSON.parse('{"__proto__": {"polluted": true}, "kept": 1}'),
    (event) => {
      expect(Object.hasOwn(event.context, '__proto__')).toBe(false);
      expect(event.context.kept).toBe(1);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  ),
  contextCase(
    'constructor and prototype keys',
    () => ({ constructor: { prototype: { polluted: true } }, prototype: 'p' }),
    (event) => {
      expect(Object.hasOwn(event.context, 'constructor')).toBe(true);
      expect(event.context.prototype).toBe('p');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  ),
  contextCase(
    'a getter that throws, inside the context',
    () => ({
      nested: {
        get broken(): never {
          throw new Error('getter exploded');
        },
        kept: 1,
      },
    }),
    (event) =>
      expect(event.context.nested).toEqual({
        broken: '[Unreadable: Error: getter exploded]',
        kept: 1,
      }),
  ),
  // emit() snapshots the top level of the context on the request path: a getter there that
  // throws makes the event unreadable, and it is refused with that reason.
  contextCase(
    'a getter that throws, at the top of the context',
    () => ({
      get broken(): never {
        throw new Error('getter exploded');
      },
    }),
    undefined,
    { emit: 'at-emit', request: 'at-emit' },
  ),
  contextCase(
    'a Proxy whose traps throw',
    () => ({
      proxy: new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap exploded');
          },
          get() {
            throw new Error('trap exploded');
          },
        },
      ),
    }),
    (event) => expect(event.context.proxy).toMatch(/^\[Unreadable: .*trap exploded/),
  ),
  contextCase(
    'a revoked Proxy as a value',
    () => ({ proxy: revokedProxy(), kept: 1 }),
    (event) => {
      expect(event.context.proxy).toMatch(/^\[Unreadable: TypeError/);
      expect(event.context.kept).toBe(1);
    },
  ),
  contextCase('a revoked Proxy as the whole context', revokedProxy, undefined, {
    emit: 'at-emit',
    request: 'at-emit',
  }),
  contextCase(
    'frozen and sealed objects',
    () =>
      Object.freeze({
        frozen: Object.freeze([1, 2]),
        sealed: Object.seal({ b: 2 }),
        password: 'hunter2',
      }),
    (event) =>
      expect(event.context).toMatchObject({
        frozen: [1, 2],
        sealed: { b: 2 },
        password: '********************',
      }),
  ),
  contextCase(
    'NaN, Infinity and -0',
    () => ({
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      negInf: Number.NEGATIVE_INFINITY,
      negZero: -0,
    }),
    (event) =>
      expect(event.context).toMatchObject({ nan: null, inf: null, negInf: null, negZero: 0 }),
  ),
  contextCase(
    'a toJSON that throws',
    () => ({
      value: {
        toJSON() {
          throw new Error('toJSON exploded');
        },
      },
    }),
    (event) => expect(event.context.value).toMatch(/^\[Unreadable: Error: toJSON exploded\]$/),
  ),
  contextCase(
    'a null-prototype object',
    () => Object.assign(Object.create(null), { kept: 1 }),
    (event) => expect(event.context.kept).toBe(1),
  ),
  contextCase(
    'a 100 000-item list and a 5000-key object',
    () => ({
      list: Array(100_000).fill(1),
      wide: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
    }),
    (event) => {
      const list = event.context.list as unknown[];
      expect(list).toHaveLength(1001);
      expect(list.at(-1)).toBe('[Truncated: 99000 more items]');
      expect(Object.keys(event.context.wide as object)).toHaveLength(1001);
    },
  ),
  contextCase(
    'URL, RegExp, Promise and WeakMap instances',
    () => ({
      url: new URL('https://example.test/path'),
      pattern: /a+/g,
      promise: Promise.resolve(1),
      weak: new WeakMap(),
    }),
    (event) =>
      expect(event.context).toMatchObject({
        url: 'https://example.test/path',
        pattern: {},
        promise: {},
        weak: {},
      }),
  ),
];
