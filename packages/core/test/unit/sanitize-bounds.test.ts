import { describe, expect, it } from 'vitest';
import { TRUNCATION_MARKER } from '../../src/payload/cut-string.js';
import { DEFAULT_MAX_NODES, sanitizeMeasured, sanitizeRecord } from '../../src/payload/sanitize.js';

const plain = { redactor: false } as const;

/** `levels` objects, each with `width` keys that all point to the next one: width^levels paths. */
function sharedLattice(width: number, levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: 'x'.repeat(10) };
  for (let level = 0; level < levels; level++) {
    const next: Record<string, unknown> = {};
    for (let k = 0; k < width; k++) next[`k${k}`] = node;
    node = next;
  }
  return node;
}

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

describe('hostile input: shared references cannot make the sanitiser exponential', () => {
  it.each([4, 5, 8, 16])(
    'copies a lattice of width %i and 12 levels within its budget',
    (width) => {
      const { result, ms } = timed(() =>
        sanitizeMeasured({ root: sharedLattice(width, 12) }, plain),
      );
      const json = JSON.stringify(result.record);
      // width^11 paths unbounded; bounded, the copy is at most a few values per node visited.
      expect(json.length).toBeLessThan(DEFAULT_MAX_NODES * 40);
      expect(json).toContain('[Truncated:');
      // Generous for a loaded machine: unbounded, width 4 took 1.7 s and width 5 ran out of heap.
      expect(ms).toBeLessThan(2000);
    },
  );

  it('reads an object that is reached again only once (its copy is reused)', () => {
    let reads = 0;
    const shared = {
      get value() {
        reads++;
        return 'v';
      },
    };
    const out = sanitizeRecord({ a: shared, b: shared, list: [shared, shared] }, plain);
    expect(out).toEqual({
      a: { value: 'v' },
      b: { value: 'v' },
      list: [{ value: 'v' }, { value: 'v' }],
    });
    expect(reads).toBe(1);
  });

  it('still marks cycles, wherever the object is reached from', () => {
    const node: Record<string, unknown> = { id: 1 };
    node.self = node;
    const out = sanitizeRecord({ first: node, second: node }, plain);
    expect(out).toEqual({
      first: { id: 1, self: '[Circular]' },
      second: { id: 1, self: '[Circular]' },
    });
  });

  it('reuses a copy whose cycles close inside it, walks again one whose cycle leads above it', () => {
    const context: Record<string, unknown> = { kept: 1 };
    context.self = context;
    context.list = [context];
    const out = sanitizeRecord({ ...context }, plain);
    expect(out).toEqual({
      kept: 1,
      self: { kept: 1, self: '[Circular]', list: ['[Circular]'] },
      // The list's first copy (under self) closes its cycle above the list: walked again here,
      // where its item is the context copied under self, reused whole.
      list: [{ kept: 1, self: '[Circular]', list: ['[Circular]'] }],
    });
  });

  it('does not reuse a copy masked under a sensitive key where it would not be masked', () => {
    const redactor = { isSensitive: (key: string) => key === 'password' };
    const shared = ['a', 'b'];
    const out = sanitizeRecord(
      { password: shared, list: shared },
      {
        redactor: redactor as never,
      },
    );
    expect(out).toEqual({
      password: ['********************', '********************'],
      list: ['a', 'b'],
    });
  });

  it('visits at most its node budget of values, however wide', () => {
    const wide = Array.from({ length: 50 }, () =>
      Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`k${i}`, i])),
    );
    const json = JSON.stringify(sanitizeRecord({ wide }, { ...plain, maxNodes: 2000 }));
    expect((json.match(/"k\d+"/g) ?? []).length).toBeLessThanOrEqual(2000);
    expect(json).toContain('[Truncated:');
  });
});

describe('hostile input: one string referenced many times cannot make the copy unbounded', () => {
  it('counts a string each time it is referenced, and cuts it once the budget is spent', () => {
    const big = 'y'.repeat(1 << 20);
    const context: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) context[`k${i}`] = big;
    const { result, ms } = timed(() =>
      sanitizeMeasured(context, { ...plain, maxEventBytes: 65536 }),
    );
    const json = JSON.stringify(result.record);
    // 1000 × 1 MiB would be 1 GiB (JSON.stringify throws "Invalid string length").
    expect(json.length).toBeLessThan(4 * 65536 + 1000 * 120);
    expect(result.record.k0).toBe(`${'y'.repeat(65536)}${TRUNCATION_MARKER}`);
    expect(result.record.k999).toBe(`${'y'.repeat(64)}${TRUNCATION_MARKER}`);
    expect(ms).toBeLessThan(2000);
  });

  it('measures what the copy holds, strings at two bytes a character', () => {
    const { record, retainedBytes } = sanitizeMeasured(
      { text: 'é'.repeat(1000), list: [1, 2, 3] },
      plain,
    );
    expect(record.text).toBe('é'.repeat(1000));
    expect(retainedBytes).toBeGreaterThanOrEqual(2 * 1000 + 3 * 8);
  });
});

describe('hostile input: keys are cut like values and stay unique', () => {
  it('cuts a key longer than maxEventBytes, keeping keys distinct', () => {
    const prefix = 'K'.repeat(2000);
    const out = sanitizeRecord(
      { [`${prefix}a`]: 1, [`${prefix}b`]: 2, short: 3 },
      { ...plain, maxEventBytes: 1024 },
    );
    const keys = Object.keys(out);
    expect(keys).toHaveLength(3);
    expect(out.short).toBe(3);
    for (const key of keys.filter((k) => k !== 'short')) {
      expect(key.length).toBeLessThan(1100);
      expect(key).toMatch(/…\[truncated( \d+)?\]$/);
    }
    expect(Object.values(out).sort()).toEqual([1, 2, 3]);
  });

  it('decides masking on the whole key, before cutting it', () => {
    const key = `${'x'.repeat(5000)}_password`;
    const redactor = { isSensitive: (k: string) => k.endsWith('_password') };
    const out = sanitizeRecord(
      { [key]: 'hunter2' },
      { redactor: redactor as never, maxEventBytes: 1024 },
    );
    expect(Object.values(out)).toEqual(['********************']);
  });
});

describe('hostile input: exotic values are copied in bounded time and never throw', () => {
  it('reads a sparse array of length 2^32-1 by its first items only', () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    sparse[3] = 'x';
    const { result, ms } = timed(() => sanitizeRecord({ sparse }, plain));
    const list = result.sparse as unknown[];
    expect(list).toHaveLength(1001);
    expect(list[3]).toBe('x');
    expect(list[1000]).toBe(`[Truncated: ${2 ** 32 - 1 - 1000} more items]`);
    expect(ms).toBeLessThan(2000);
  });

  it('asks a Proxy with 100 000 keys for the keys it copies only', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}`);
    let descriptorCalls = 0;
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => keys,
        getOwnPropertyDescriptor: () => {
          descriptorCalls++;
          return { value: 1, enumerable: true, configurable: true };
        },
        get: () => 1,
      },
    );
    const out = sanitizeRecord({ proxy }, plain).proxy as Record<string, unknown>;
    expect(Object.keys(out)).toHaveLength(1001);
    expect(out['…']).toBe('[Truncated: more keys]');
    expect(descriptorCalls).toBeLessThan(3000);
  });

  it('marks a toJSON that returns its own object as circular', () => {
    const self = {
      toJSON() {
        return self;
      },
    };
    expect(sanitizeRecord({ self }, plain)).toEqual({ self: '[Circular]' });
  });

  it('cuts what a toJSON returns when it is huge', () => {
    const huge = { toJSON: () => 'z'.repeat(5_000_000) };
    const out = sanitizeRecord({ huge }, { ...plain, maxEventBytes: 4096 });
    expect(out.huge).toBe(`${'z'.repeat(4096)}${TRUNCATION_MARKER}`);
  });

  it('bounds getters that return a new object every time', () => {
    let calls = 0;
    const factory = {
      get next(): unknown {
        calls++;
        return { a: factory, b: factory };
      },
    };
    const { ms } = timed(() => sanitizeRecord({ factory }, plain));
    expect(calls).toBeLessThanOrEqual(DEFAULT_MAX_NODES);
    expect(ms).toBeLessThan(2000);
  });

  it('turns boxed primitives into their value (not one key per character)', () => {
    const out = sanitizeRecord(
      {
        text: new String('x'.repeat(100_000)),
        n: new Number(4),
        b: new Boolean(false),
        s: Object(Symbol('s')),
      },
      { ...plain, maxEventBytes: 1024 },
    );
    expect(out).toEqual({ text: `${'x'.repeat(1024)}${TRUNCATION_MARKER}`, n: 4, b: false });
  });

  it('summarises a huge BigInt instead of printing its digits', () => {
    const { result, ms } = timed(() => sanitizeRecord({ big: 2n ** 1_000_000n, small: 5n }, plain));
    expect(result).toEqual({ big: '[BigInt: more than 19728 digits]', small: '5' });
    expect(ms).toBeLessThan(2000);
  });

  it('summarises a SharedArrayBuffer like an ArrayBuffer', () => {
    expect(sanitizeRecord({ shared: new SharedArrayBuffer(64) }, plain)).toEqual({
      shared: '[SharedArrayBuffer 64 bytes]',
    });
  });

  it('stops a Set whose iterator never ends', () => {
    class EndlessSet extends Set<number> {
      override *[Symbol.iterator](): SetIterator<number> {
        for (let i = 0; ; i++) yield i;
      }
    }
    const out = sanitizeRecord({ set: new EndlessSet([1]) }, plain);
    expect((out.set as unknown[]).length).toBe(1001);
  });

  it('copies a 100 000-key object as 1000 keys and a marker', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const out = sanitizeRecord({ wide }, plain).wide as Record<string, unknown>;
    expect(Object.keys(out)).toHaveLength(1001);
    expect(out['…']).toBe('[Truncated: 99000 more keys]');
  });

  it('never throws, whatever the input', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const hostile: Record<string, unknown> = {
      revoked: revoked.proxy,
      weak: new WeakMap(),
      promise: Promise.resolve(1),
      throwing: {
        get x() {
          throw new Error('no');
        },
      },
      jsonThrows: {
        toJSON() {
          throw new Error('toJSON');
        },
      },
    };
    const out = sanitizeRecord(hostile, plain);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });
});

describe('hostile input: a truncation marker never replaces a value of the app', () => {
  it('keeps an app key named "…" when it marks left-out keys', () => {
    const wide: Record<string, unknown> = { '…': 'mine' };
    for (let i = 0; i < 1500; i++) wide[`k${i}`] = i;
    const out = sanitizeRecord({ wide }, plain).wide as Record<string, unknown>;
    expect(out['…']).toBe('mine');
    expect(Object.values(out)).toContain('[Truncated: 501 more keys]');
  });
});

describe('hostile input: a copy made at emit survives being copied again when sent', () => {
  it('keeps the markers of a cut list and a cut object (copying is idempotent)', () => {
    const context = {
      list: Array.from({ length: 100_000 }, (_, i) => i),
      wide: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])),
      text: 'x'.repeat(100_000),
    };
    const once = sanitizeRecord(context, { ...plain, maxEventBytes: 4096 });
    const twice = sanitizeRecord(once, { ...plain, maxEventBytes: 4096 });
    expect(twice).toEqual(once);
    expect((twice.list as unknown[]).at(-1)).toBe('[Truncated: 99000 more items]');
    expect((twice.wide as Record<string, unknown>)['…']).toBe('[Truncated: 4000 more keys]');
  });
});
