import { describe, expect, it } from 'vitest';
import { cleanString, DEFAULT_MAX_DEPTH, sanitizeRecord } from '../../src/payload/sanitize.js';

const plain = { redactor: false } as const;

function sanitize(record: Record<string, unknown>, maxDepth?: number): Record<string, unknown> {
  const out = sanitizeRecord(record, maxDepth === undefined ? plain : { ...plain, maxDepth });
  // Whatever goes in, what comes out is plain JSON: a round trip changes nothing.
  expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  return out;
}

/** A chain `{ next: { next: ... } }` of `levels` objects below the root, `{ end: true }` at the bottom. */
function chain(levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = { end: true };
  for (let i = 0; i < levels; i++) node = { next: node };
  return node;
}

/** How many `next` links can be followed before the value is no longer an object. */
function followChain(value: unknown): { links: number; bottom: unknown } {
  let links = 0;
  let node = value;
  while (node !== null && typeof node === 'object' && 'next' in node) {
    node = (node as { next: unknown }).next;
    links++;
  }
  return { links, bottom: node };
}

describe('sanitizeRecord: primitives', () => {
  it('keeps JSON primitives as they are', () => {
    expect(sanitize({ s: 'text', n: 42, f: 1.5, t: true, no: false, nil: null })).toEqual({
      s: 'text',
      n: 42,
      f: 1.5,
      t: true,
      no: false,
      nil: null,
    });
  });

  it('turns NaN and the infinities into null', () => {
    expect(
      sanitize({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY }),
    ).toEqual({
      a: null,
      b: null,
      c: null,
    });
  });

  it('turns BigInt into its decimal string', () => {
    expect(sanitize({ big: 12345678901234567890123n, neg: -5n })).toEqual({
      big: '12345678901234567890123',
      neg: '-5',
    });
  });

  it('drops undefined, function and symbol values (the key disappears)', () => {
    const out = sanitize({
      keep: 1,
      u: undefined,
      fn: () => 1,
      method() {
        return 2;
      },
      sym: Symbol('s'),
    });
    expect(out).toEqual({ keep: 1 });
    expect(Object.keys(out)).toEqual(['keep']);
  });

  it('ignores symbol keys', () => {
    expect(sanitize({ [Symbol('k')]: 'hidden', visible: 'yes' })).toEqual({ visible: 'yes' });
  });

  it('turns dropped values inside arrays into null, keeping positions', () => {
    expect(sanitize({ list: [1, undefined, () => 0, Symbol('x'), 'z'] })).toEqual({
      list: [1, null, null, null, 'z'],
    });
  });
});

describe('sanitizeRecord: dates', () => {
  it('turns a valid Date into its ISO string', () => {
    expect(sanitize({ at: new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 123)) })).toEqual({
      at: '2024-02-29T12:30:45.123Z',
    });
  });

  it('turns an invalid Date into null', () => {
    expect(sanitize({ at: new Date('not a date') })).toEqual({ at: null });
  });

  it('handles Dates inside arrays and nested objects', () => {
    expect(sanitize({ list: [new Date(0)], nested: { at: new Date(86_400_000) } })).toEqual({
      list: ['1970-01-01T00:00:00.000Z'],
      nested: { at: '1970-01-02T00:00:00.000Z' },
    });
  });
});

describe('sanitizeRecord: binary', () => {
  it('summarises a Buffer', () => {
    expect(sanitize({ buf: Buffer.from('hello') })).toEqual({ buf: '[Buffer 5 bytes]' });
  });

  it('summarises typed arrays by their byte length', () => {
    expect(
      sanitize({
        u8: new Uint8Array(3),
        f64: new Float64Array(4),
        i16: new Int16Array(5),
      }),
    ).toEqual({
      u8: '[Uint8Array 3 bytes]',
      f64: '[Float64Array 32 bytes]',
      i16: '[Int16Array 10 bytes]',
    });
  });

  it('summarises an ArrayBuffer and a DataView', () => {
    const buffer = new ArrayBuffer(16);
    expect(sanitize({ ab: buffer, dv: new DataView(buffer, 4, 8) })).toEqual({
      ab: '[ArrayBuffer 16 bytes]',
      dv: '[DataView 8 bytes]',
    });
  });

  it('never copies the bytes themselves', () => {
    const out = sanitize({ buf: Buffer.from('secret-bytes') });
    expect(JSON.stringify(out)).not.toContain('secret');
  });
});

describe('sanitizeRecord: Map and Set', () => {
  it('turns a Map into an object with string keys', () => {
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, 'two'],
      [true, new Date(0)],
    ]);
    expect(sanitize({ map })).toEqual({
      map: { a: 1, '2': 'two', true: '1970-01-01T00:00:00.000Z' },
    });
  });

  it('turns a Set into an array', () => {
    expect(sanitize({ set: new Set(['x', 1, 2n]) })).toEqual({ set: ['x', 1, '2'] });
  });

  it('converts nested Maps and Sets', () => {
    const inner = new Map([['k', new Set([1, 2])]]);
    expect(sanitize({ outer: new Map([['inner', inner]]) })).toEqual({
      outer: { inner: { k: [1, 2] } },
    });
  });
});

describe('sanitizeRecord: errors', () => {
  it('turns an Error into {name, message} without the stack', () => {
    const out = sanitize({ err: new TypeError('bad input') });
    expect(out).toEqual({ err: { name: 'TypeError', message: 'bad input' } });
  });

  it('keeps a custom error name', () => {
    class DbError extends Error {
      override name = 'DbError';
    }
    expect(sanitize({ err: new DbError('down') })).toEqual({
      err: { name: 'DbError', message: 'down' },
    });
  });

  it('follows nested causes', () => {
    const root = new Error('disk full');
    const middle = new Error('write failed', { cause: root });
    const top = new RangeError('request failed', { cause: middle });
    expect(sanitize({ err: top })).toEqual({
      err: {
        name: 'RangeError',
        message: 'request failed',
        cause: {
          name: 'Error',
          message: 'write failed',
          cause: { name: 'Error', message: 'disk full' },
        },
      },
    });
  });

  it('keeps a non-Error cause as a value', () => {
    expect(sanitize({ err: new Error('x', { cause: { code: 'E1', at: new Date(0) } }) })).toEqual({
      err: { name: 'Error', message: 'x', cause: { code: 'E1', at: '1970-01-01T00:00:00.000Z' } },
    });
  });

  it('marks an error that is its own cause as circular', () => {
    const err = new Error('loop');
    err.cause = err;
    expect(sanitize({ err })).toEqual({
      err: { name: 'Error', message: 'loop', cause: '[Circular]' },
    });
  });

  it('removes NUL characters from the message', () => {
    expect(sanitize({ err: new Error('a\u0000b') })).toEqual({
      err: { name: 'Error', message: 'ab' },
    });
  });
});

describe('sanitizeRecord: cycles and shared references', () => {
  it('marks a cycle back to the root', () => {
    const root: Record<string, unknown> = { name: 'root' };
    root.self = root;
    expect(sanitize(root)).toEqual({ name: 'root', self: '[Circular]' });
  });

  it('marks a deeper cycle', () => {
    const a: Record<string, unknown> = { id: 'a' };
    const b: Record<string, unknown> = { id: 'b', a };
    a.b = b;
    expect(sanitize({ a })).toEqual({ a: { id: 'a', b: { id: 'b', a: '[Circular]' } } });
  });

  it('marks a cycle through an array', () => {
    const list: unknown[] = [1];
    list.push(list);
    expect(sanitize({ list })).toEqual({ list: [1, '[Circular]'] });
  });

  it('does NOT mark a shared, non-cyclic reference as circular', () => {
    const shared = { id: 7 };
    expect(sanitize({ first: shared, second: shared, list: [shared, shared] })).toEqual({
      first: { id: 7 },
      second: { id: 7 },
      list: [{ id: 7 }, { id: 7 }],
    });
  });
});

describe('sanitizeRecord: depth', () => {
  it('defaults to a depth of 12', () => {
    expect(DEFAULT_MAX_DEPTH).toBe(12);
  });

  it('keeps a structure just within the limit whole', () => {
    // root (depth 0) + 11 nested objects = depth 11, the deepest object kept.
    const out = sanitize(chain(DEFAULT_MAX_DEPTH - 1));
    expect(followChain(out)).toEqual({ links: DEFAULT_MAX_DEPTH - 1, bottom: { end: true } });
    expect(JSON.stringify(out)).not.toContain('Truncated');
  });

  it('replaces the object at the depth limit with a marker', () => {
    const out = sanitize(chain(DEFAULT_MAX_DEPTH));
    expect(followChain(out)).toEqual({ links: DEFAULT_MAX_DEPTH, bottom: '[Truncated: too deep]' });
  });

  it('honours a smaller maxDepth', () => {
    const out = sanitize({ a: { b: { c: { d: 1 } } } }, 2);
    expect(out).toEqual({ a: { b: '[Truncated: too deep]' } });
  });

  it('counts arrays as levels too', () => {
    expect(sanitize({ a: [[['deep']]] }, 2)).toEqual({ a: ['[Truncated: too deep]'] });
  });

  it('handles 1000-deep nesting without a stack overflow', () => {
    const out = sanitize(chain(1000));
    expect(followChain(out)).toEqual({ links: DEFAULT_MAX_DEPTH, bottom: '[Truncated: too deep]' });
  });

  it('handles 1000-deep arrays', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 1000; i++) deep = [deep];
    const out = sanitize({ deep });
    expect(JSON.stringify(out)).toBe(
      `{"deep":${'['.repeat(DEFAULT_MAX_DEPTH - 1)}"[Truncated: too deep]"${']'.repeat(DEFAULT_MAX_DEPTH - 1)}}`,
    );
  });

  it('limits toJSON chains that return fresh objects forever', () => {
    class Endless {
      toJSON(): unknown {
        return new Endless();
      }
    }
    const out = sanitize({ e: new Endless() });
    expect(JSON.stringify(out)).toContain('[Truncated: too deep]');
  });
});

describe('sanitizeRecord: strings', () => {
  it('removes NUL characters from values and keys', () => {
    expect(sanitize({ 'k\u0000ey': 'va\u0000l\u0000ue', list: ['\u0000'] })).toEqual({
      key: 'value',
      list: [''],
    });
  });

  it('makes lone surrogates well-formed', () => {
    const out = sanitize({ high: 'a\uD800b', low: '\uDC00', 'k\uD801': 'v' });
    expect(out).toEqual({ high: 'a\uFFFDb', low: '\uFFFD', 'k\uFFFD': 'v' });
    for (const [key, value] of Object.entries(out)) {
      expect(key.isWellFormed()).toBe(true);
      expect((value as string).isWellFormed()).toBe(true);
    }
  });

  it('keeps valid surrogate pairs (emoji) and other Unicode untouched', () => {
    expect(sanitize({ s: 'héllo 😀 日本' })).toEqual({ s: 'héllo 😀 日本' });
  });

  it('cleanString returns the same string when nothing needs changing', () => {
    const text = 'plain';
    expect(cleanString(text)).toBe(text);
    expect(cleanString('a\u0000\uD800')).toBe('a\uFFFD');
  });
});

describe('sanitizeRecord: prototype safety', () => {
  it('never assigns a __proto__ key (from JSON.parse)', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<
      string,
      unknown
    >;
    const out = sanitize(input);
    expect(out).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(false);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('never assigns a __proto__ key nested deeper, nor from a Map', () => {
    const nested = JSON.parse('{"a": {"__proto__": {"polluted": true}, "b": 2}}') as Record<
      string,
      unknown
    >;
    const out = sanitize({ ...nested, map: new Map([['__proto__', { polluted: true }]]) });
    expect(out).toEqual({ a: { b: 2 }, map: {} });
    expect(Object.getPrototypeOf(out.a)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.map)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('never assigns a key that only becomes __proto__ once NUL characters are removed', () => {
    const input = { '__proto__\u0000': { polluted: true }, ok: 1 };
    const out = sanitize(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(out.ok).toBe(1);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('copies a "constructor" key as plain data', () => {
    const out = sanitize({ constructor: { name: 'evil', prototype: { polluted: true } } });
    expect(out).toEqual({ constructor: { name: 'evil', prototype: { polluted: true } } });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype.constructor).toBe(Object);
  });

  it('reads objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.x = 1;
    expect(sanitize({ bare })).toEqual({ bare: { x: 1 } });
  });
});

describe('sanitizeRecord: hostile objects', () => {
  it('marks a getter that throws, keeping the other keys', () => {
    const obj = {
      ok: 'yes',
      get boom(): string {
        throw new Error('getter exploded');
      },
    };
    expect(sanitize({ obj })).toEqual({
      obj: { ok: 'yes', boom: '[Unreadable: Error: getter exploded]' },
    });
  });

  it('marks a Proxy that throws on ownKeys', () => {
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );
    expect(sanitize({ proxy, after: 1 })).toEqual({
      proxy: '[Unreadable: Error: no keys for you]',
      after: 1,
    });
  });

  it('marks a Proxy that throws on get, per key', () => {
    const proxy = new Proxy(
      { a: 1, b: 2 },
      {
        get(_target, key) {
          if (key === 'toJSON') return undefined;
          throw new Error(`no ${String(key)}`);
        },
      },
    );
    expect(sanitize({ proxy })).toEqual({
      proxy: { a: '[Unreadable: Error: no a]', b: '[Unreadable: Error: no b]' },
    });
  });

  it('marks a Proxy that throws on every get (toJSON included)', () => {
    const proxy = new Proxy(
      { a: 1 },
      {
        get() {
          throw new Error('nope');
        },
      },
    );
    expect(sanitize({ proxy })).toEqual({ proxy: '[Unreadable: Error: nope]' });
  });

  it('marks a revoked Proxy instead of throwing', () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    const out = sanitize({ proxy, after: 1 });
    expect(out.after).toBe(1);
    expect(out.proxy).toMatch(/^\[Unreadable: TypeError: /);
  });

  it('marks look-alike Dates and ArrayBuffers whose methods throw', () => {
    const out = sanitize({
      date: Object.create(Date.prototype),
      buffer: Object.create(ArrayBuffer.prototype),
    });
    expect(out.date).toMatch(/^\[Unreadable: TypeError: /);
    expect(out.buffer).toMatch(/^\[Unreadable: TypeError: /);
  });

  it('marks a throw of a non-Error value', () => {
    const obj = {
      get boom(): string {
        throw 'plain string';
      },
    };
    expect(sanitize({ obj })).toEqual({ obj: { boom: '[Unreadable: plain string]' } });
  });

  it('copies frozen and sealed objects', () => {
    const frozen = Object.freeze({ a: 1, inner: Object.freeze({ b: [1, 2] }) });
    const out = sanitize({ frozen, sealed: Object.seal({ c: 'x' }) });
    expect(out).toEqual({ frozen: { a: 1, inner: { b: [1, 2] } }, sealed: { c: 'x' } });
    expect(Object.isFrozen(out.frozen)).toBe(false);
    expect(out.frozen).not.toBe(frozen);
  });

  it('does not modify its input', () => {
    const input = { d: new Date(0), s: 'a\u0000', n: Number.NaN, list: [1n] };
    sanitize(input);
    expect(input.s).toBe('a\u0000');
    expect(input.d).toBeInstanceOf(Date);
    expect(input.list[0]).toBe(1n);
  });
});

describe('sanitizeRecord: toJSON', () => {
  it('uses toJSON and sanitises what it returns', () => {
    const value = {
      secretField: 'x',
      toJSON() {
        return { shown: 'y', at: new Date(0), big: 3n };
      },
    };
    expect(sanitize({ value })).toEqual({
      value: { shown: 'y', at: '1970-01-01T00:00:00.000Z', big: '3' },
    });
  });

  it('uses a toJSON that returns a primitive', () => {
    expect(sanitize({ money: { toJSON: () => '12.50 EUR' } })).toEqual({ money: '12.50 EUR' });
  });

  it('marks a toJSON that throws', () => {
    const value = {
      toJSON() {
        throw new Error('cannot serialise');
      },
    };
    expect(sanitize({ value })).toEqual({ value: '[Unreadable: Error: cannot serialise]' });
  });

  it('handles URL objects through their toJSON', () => {
    expect(sanitize({ url: new URL('https://example.com/a?b=c') })).toEqual({
      url: 'https://example.com/a?b=c',
    });
  });

  it('wraps a root whose toJSON returns a non-object', () => {
    const root = { toJSON: () => 'flat' } as unknown as Record<string, unknown>;
    expect(sanitize(root)).toEqual({ value: 'flat' });
  });
});

describe('sanitizeRecord: width', () => {
  it('keeps at most 1000 keys and says how many were left out', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 1500; i++) wide[`k${i}`] = i;
    const out = sanitize({ wide }).wide as Record<string, unknown>;
    expect(Object.keys(out)).toHaveLength(1001);
    expect(out.k0).toBe(0);
    expect(out.k999).toBe(999);
    expect(out.k1000).toBeUndefined();
    expect(out['…']).toBe('[Truncated: 500 more keys]');
  });

  it('keeps exactly 1000 keys without a marker', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) wide[`k${i}`] = i;
    const out = sanitize({ wide }).wide as Record<string, unknown>;
    expect(Object.keys(out)).toHaveLength(1000);
    expect(out['…']).toBeUndefined();
  });

  it('keeps at most 1000 array items and says how many were left out', () => {
    const list = Array.from({ length: 2500 }, (_, i) => i);
    const out = sanitize({ list }).list as unknown[];
    expect(out).toHaveLength(1001);
    expect(out[999]).toBe(999);
    expect(out[1000]).toBe('[Truncated: 1500 more items]');
  });

  it('keeps at most 1000 Set items and Map entries', () => {
    const set = new Set(Array.from({ length: 1200 }, (_, i) => i));
    const map = new Map(Array.from({ length: 1200 }, (_, i) => [`m${i}`, i] as const));
    const out = sanitize({ set, map });
    expect(out.set as unknown[]).toHaveLength(1001);
    expect((out.set as unknown[])[1000]).toBe('[Truncated: 200 more items]');
    expect(Object.keys(out.map as object)).toHaveLength(1001);
    expect((out.map as Record<string, unknown>)['…']).toBe('[Truncated: 200 more entries]');
  });

  it('turns holes in sparse arrays into null', () => {
    const sparse: unknown[] = [];
    sparse[3] = 'x';
    expect(sanitize({ sparse })).toEqual({ sparse: [null, null, null, 'x'] });
  });
});

describe('sanitizeRecord: class instances', () => {
  it('copies own enumerable fields, not prototype methods', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
      get length(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    expect(sanitize({ p: new Point(3, 4) })).toEqual({ p: { x: 3, y: 4 } });
  });
});

describe('sanitizeRecord: always JSON', () => {
  it('produces a round-trippable result for a mix of everything', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    const everything: Record<string, unknown> = {
      date: new Date(0),
      bad: new Date(Number.NaN),
      big: 10n,
      sym: Symbol('s'),
      fn() {},
      buf: Buffer.alloc(2),
      map: new Map([['a', new Set([1])]]),
      err: new Error('e', { cause: new Error('c') }),
      cyclic,
      nul: '\u0000',
      lone: '\uD800',
      nan: Number.NaN,
      deep: chain(50),
      nested: [{ a: [{ b: undefined }] }],
    };
    const out = sanitize(everything);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    expect(JSON.stringify(out)).not.toContain('\\u0000');
  });
});
