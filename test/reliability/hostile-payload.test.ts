import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type AuthentikEventsError,
  type ClientOptions,
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
import { identityHolds, NO_DROPS, waitUntil } from './support/accounting.js';

// Payloads built to break the client's bounds: each goes through createEventClient to the fake
// (which applies authentik's rules) and must end stored (cut where needed) or counted, with
// nothing thrown into the app, no unhandled rejection, the event loop never blocked for long,
// and the queue's byte bound true of what the queue really keeps alive.

const FAST = {
  flushIntervalMs: 10,
  requestTimeoutMs: 10_000,
  retry: { minDelayMs: 10, maxDelayMs: 50 },
};
const MAX_EVENT_BYTES = 64 * 1024;
/** Coarse on purpose: unbounded, these payloads blocked for seconds or ran out of heap. */
const LONGEST_BLOCK_MS = 2000;

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

/** The longest the event loop went without running a 5 ms timer while it ran. */
function probeEventLoop(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last);
    },
  };
}

interface Outcome {
  accepted: unknown;
  thrown: unknown[];
  unhandled: unknown[];
  errors: AuthentikEventsError[];
  stats: ClientStats;
  longestBlockMs: number;
  stored: StoredEvent[];
}

/** Emits `input` once through a fresh client, closes it, and says what became of it. */
async function sendOne(input: EmitInput, options: ClientOptions = {}): Promise<Outcome> {
  const errors: AuthentikEventsError[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const probe = probeEventLoop();
  const thrown: unknown[] = [];
  let accepted: unknown;
  try {
    const client = createEventClient({
      url: fake.url,
      token: fake.token,
      app: 'hostile',
      ...FAST,
      onError: (error) => errors.push(error),
      ...options,
    });
    try {
      accepted = client.emit(input);
    } catch (error) {
      thrown.push(error);
    }
    await client.close({ timeoutMs: 20_000 });
    return {
      accepted,
      thrown,
      unhandled,
      errors,
      stats: client.stats(),
      longestBlockMs: probe.stop(),
      stored: [...fake.events],
    };
  } finally {
    probe.stop();
    process.off('unhandledRejection', onUnhandled);
  }
}

/** Stored once, nothing dropped, nothing thrown, the loop never blocked long; the stored event. */
function expectStored(outcome: Outcome): StoredEvent {
  expect(outcome.thrown).toEqual([]);
  expect(outcome.unhandled).toEqual([]);
  expect(outcome.accepted).toBe(true);
  expect(identityHolds(outcome.stats)).toBe(true);
  expect(outcome.stats.dropped).toEqual(NO_DROPS);
  expect(outcome.stats.delivered).toBe(1);
  expect(outcome.stored).toHaveLength(1);
  expect(outcome.longestBlockMs).toBeLessThan(LONGEST_BLOCK_MS);
  return outcome.stored[0] as StoredEvent;
}

function lattice(width: number, levels: number): Record<string, unknown> {
  let node: Record<string, unknown> = { leaf: 'x'.repeat(10) };
  for (let level = 0; level < levels; level++) {
    const next: Record<string, unknown> = {};
    for (let k = 0; k < width; k++) next[`k${k}`] = node;
    node = next;
  }
  return node;
}

const CUT = /…\[truncated( \d+)?\]$/;

describe('hostile input: one large field cannot erase an audit event', () => {
  it('stores a login_failed whose username is 70 000 characters, cut with a marker', async () => {
    const event = expectStored(
      await sendOne({
        action: 'login_failed',
        user: { username: 'u'.repeat(70_000) },
        clientIp: '203.0.113.7',
        context: { http_request: { path: '/login', method: 'POST' } },
      }),
    );
    expect(event.user.username).toMatch(/^u+…\[truncated\]$/);
    expect((event.user.username as string).length).toBeLessThan(MAX_EVENT_BYTES);
    expect(event.client_ip).toBe('203.0.113.7');
    expect(event.context.http_request).toEqual({ path: '/login', method: 'POST' });
  });

  it('stores one whose context key is 70 000 characters, cut with a marker', async () => {
    const event = expectStored(
      await sendOne({ action: 'login_failed', context: { ['k'.repeat(70_000)]: 'form value' } }),
    );
    const key = Object.keys(event.context).find((k) => k.startsWith('kkk')) as string;
    expect(key).toMatch(CUT);
    expect(event.context[key]).toBe('form value');
  });

  it('stores one whose brand name is 70 000 characters, cut with a marker', async () => {
    const event = expectStored(
      await sendOne({
        action: 'login_failed',
        user: { username: 'jane' },
        brand: { pk: 'b1', name: 'b'.repeat(70_000) },
      }),
    );
    expect(event.brand.name).toMatch(CUT);
    expect(event.user.username).toBe('jane');
  });

  it('stores one where every field an attacker controls is huge at once', async () => {
    const context: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) context[`${i}${'q'.repeat(20_000)}`] = 'v'.repeat(20_000);
    const event = expectStored(
      await sendOne({
        action: 'login_failed',
        app: 'a'.repeat(200_000),
        user: { username: 'u'.repeat(1_000_000), email: 'e'.repeat(1_000_000) },
        brand: { name: 'b'.repeat(1_000_000) },
        context,
      }),
    );
    expect(event.user.username).toMatch(CUT);
    expect(event.context.event_id).toEqual(expect.any(String));
  });
});

describe('hostile input: a payload whose serialisation would throw is sent cut, never crashes the sender', () => {
  it('stores a context of one 1 MiB string under 1000 keys (1 GiB of JSON)', async () => {
    const big = 'y'.repeat(1 << 20);
    const context: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) context[`k${i}`] = big;
    const event = expectStored(await sendOne({ action: 'custom_shared_string', context }));
    expect(event.context.k0).toMatch(CUT);
  });

  it('stores what a beforeSend returns even when it is shared and huge', async () => {
    const big = 'z'.repeat(1 << 20);
    const event = expectStored(
      await sendOne(
        { action: 'custom_rewritten' },
        {
          beforeSend: (wire) => {
            const shared = { big, again: [big, big, big] };
            const context: Record<string, unknown> = { ...wire.context };
            for (let i = 0; i < 500; i++) context[`s${i}`] = shared;
            return { ...wire, context, user: { username: big } };
          },
        },
      ),
    );
    expect(event.user.username).toMatch(CUT);
  });
});

describe('hostile input: shared references cannot block the event loop or exhaust the heap', () => {
  it.each([4, 5, 8])(
    'stores a context of 12 objects whose %i keys all point to the next one',
    async (width) => {
      expectStored(
        await sendOne({ action: 'custom_lattice', context: { root: lattice(width, 12) } }),
      );
    },
  );
});

/** Values the sanitiser must copy in bounded time and memory, and never throw on. */
const EXOTIC: [string, () => Record<string, unknown>][] = [
  [
    'WeakMap, WeakSet, WeakRef and Promise',
    () => ({
      weak: new WeakMap(),
      set: new WeakSet(),
      ref: new WeakRef({}),
      promise: Promise.resolve(1),
    }),
  ],
  ['symbol keys and symbol values', () => ({ [Symbol('k')]: 1, s: Symbol('v'), kept: 1 })],
  [
    'a getter that returns a new object every time',
    () => {
      const factory: Record<string, unknown> = {};
      Object.defineProperty(factory, 'next', {
        enumerable: true,
        get: () => ({ a: factory, b: factory, c: factory }),
      });
      return { factory };
    },
  ],
  [
    'an object with 100 000 keys',
    () => ({
      wide: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
    }),
  ],
  [
    'a sparse array of length 2^32-1',
    () => {
      const sparse: unknown[] = [];
      sparse.length = 2 ** 32 - 1;
      return { sparse };
    },
  ],
  [
    'a Proxy whose ownKeys returns 100 000 keys',
    () => {
      const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}`);
      return {
        proxy: new Proxy(
          {},
          {
            ownKeys: () => keys,
            getOwnPropertyDescriptor: () => ({ value: 1, enumerable: true, configurable: true }),
            get: () => 1,
          },
        ),
      };
    },
  ],
  [
    'a toJSON that returns its own object',
    () => {
      const self = { toJSON: () => self };
      return { self };
    },
  ],
  ['a toJSON that returns 50 MB', () => ({ huge: { toJSON: () => 'h'.repeat(50_000_000) } })],
  [
    'a toJSON that throws',
    () => ({
      broken: {
        toJSON() {
          throw new Error('no JSON');
        },
      },
    }),
  ],
  [
    'String, Number and BigInt objects',
    () => ({
      text: new String('t'.repeat(1_000_000)),
      n: new Number(1),
      big: Object(2n ** 100n),
    }),
  ],
  ['a BigInt of a million bits', () => ({ big: 2n ** 1_000_000n })],
  [
    'a Set whose iterator never ends',
    () => {
      class EndlessSet extends Set<number> {
        override *[Symbol.iterator](): SetIterator<number> {
          for (let i = 0; ; i++) yield i;
        }
      }
      return { endless: new EndlessSet() };
    },
  ],
  [
    'binary of every kind',
    () => ({
      buffer: Buffer.alloc(1024),
      view: new DataView(new ArrayBuffer(64)),
      typed: new Float32Array(8),
      shared: new SharedArrayBuffer(64),
    }),
  ],
];

describe('hostile input: exotic values end stored, in bounded time, never thrown', () => {
  it.each(EXOTIC)('%s', async (_name, context) => {
    expectStored(await sendOne({ action: 'custom_exotic', context: context() }));
  });

  it('a context whose toJSON throws', async () => {
    const context = {
      toJSON() {
        throw new Error('context toJSON');
      },
    };
    const event = expectStored(await sendOne({ action: 'custom_exotic', context }));
    expect(JSON.stringify(event.context)).toContain('Unreadable');
  });
});

describe('hostile input: the queue byte bound covers what the queue keeps alive', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const heldBytes = () => {
    gc();
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.external;
  };
  const MiB = 1024 * 1024;

  it('holds neither 10 MiB Buffers nor the ArrayBuffers of small views, Maps or Sets', async () => {
    const maxQueueBytes = MiB;
    const client = createEventClient({
      url: fake.url,
      token: fake.token,
      app: 'hostile',
      ...FAST,
      maxQueueBytes,
      onError: () => {},
    });
    await fake.faults.down();
    try {
      const before = heldBytes();
      const emit = (context: Record<string, unknown>) =>
        client.emit({ action: 'custom_binary', context });
      for (let i = 0; i < 50; i++) emit({ file: Buffer.alloc(10 * MiB, 1) });
      for (let i = 0; i < 50; i++) emit({ head: new Uint8Array(new ArrayBuffer(10 * MiB), 0, 4) });
      for (let i = 0; i < 20; i++) {
        emit({
          map: new Map(Array.from({ length: 20_000 }, (_, k) => [k, `value ${k}`])),
          set: new Set(Array.from({ length: 20_000 }, (_, k) => k)),
        });
      }
      const held = heldBytes() - before;
      const stats = client.stats();
      expect(identityHolds(stats)).toBe(true);
      expect(stats.queuedBytes).toBeLessThanOrEqual(maxQueueBytes);
      // Unbounded, this held 1 GiB while queuedBytes said a few KiB. What the queue keeps is
      // within what it counts, plus slack for the allocator and the test's own garbage.
      expect(held).toBeLessThan(stats.queuedBytes + 16 * MiB);
    } finally {
      await fake.faults.up();
    }
    await client.close({ timeoutMs: 20_000 });
    const stats = client.stats();
    expect(identityHolds(stats)).toBe(true);
    expect(stats.emitted).toBe(120);
    expect(stats.delivered + stats.dropped.queue_full).toBe(120);
    await waitUntil(() => fake.events.length === stats.delivered, 'the fake stored them');
    const files = fake.events.filter((event) => typeof event.context.file === 'string');
    for (const event of files) expect(event.context.file).toBe('[Buffer 10485760 bytes]');
  });
});
