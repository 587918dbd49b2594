import { describe, expect, it } from 'vitest';
import { boundQueuedEvent } from '../../src/payload/bound-event.js';
import { estimatePlainBytes } from '../../src/payload/estimate-size.js';
import type { EmitInput } from '../../src/types.js';

const MAX_EVENT = 65_536;
const settings = { maxEventBytes: MAX_EVENT, redactor: false as const };

function bound(input: EmitInput): { bytes: number; snapshot: EmitInput } {
  const snapshot = { ...input };
  return { bytes: boundQueuedEvent(snapshot, settings), snapshot };
}

describe('hostile input: the queue byte estimate is an upper bound of what an event keeps alive', () => {
  it('counts plain data, strings at two bytes a character', () => {
    const text = '日'.repeat(1000);
    const bytes = estimatePlainBytes(
      { text, list: [1, 'ab', null], nested: { at: new Date() } },
      MAX_EVENT,
      1e9,
    );
    expect(bytes).toBeGreaterThanOrEqual(2 * 1000 + 2 * 2);
  });

  it('counts a string reached twice twice', () => {
    const text = 'x'.repeat(10_000);
    const once = estimatePlainBytes({ a: text }, MAX_EVENT, 1e9) as number;
    const twice = estimatePlainBytes({ a: text, b: text }, MAX_EVENT, 1e9) as number;
    expect(twice - once).toBeGreaterThanOrEqual(20_000);
  });

  it.each([
    ['a Buffer', () => Buffer.alloc(16)],
    ['a typed array', () => new Float64Array(4)],
    ['a DataView', () => new DataView(new ArrayBuffer(8))],
    ['an ArrayBuffer', () => new ArrayBuffer(8)],
    ['a SharedArrayBuffer', () => new SharedArrayBuffer(8)],
    ['a Map', () => new Map([[1, 2]])],
    ['a Set', () => new Set([1])],
    ['a WeakMap', () => new WeakMap()],
    ['a Promise', () => Promise.resolve(1)],
    ['a class instance', () => new (class Holder {})()],
    ['an Error', () => new Error('e')],
    ['a String object', () => new String('abc')],
    ['a function', () => () => 1],
    ['a Symbol', () => Symbol('s')],
    ['a BigInt of 2^64 or more', () => 2n ** 64n],
    ['a string longer than maxEventBytes', () => 'x'.repeat(MAX_EVENT + 1)],
    ['more than 512 values', () => Array.from({ length: 600 }, (_, i) => i)],
  ])('does not vouch for %s', (_name, make) => {
    expect(estimatePlainBytes({ value: make() }, MAX_EVENT, 1e9)).toBeUndefined();
  });

  it('does not vouch for a key longer than maxEventBytes, nor a total above its limit', () => {
    expect(estimatePlainBytes({ ['k'.repeat(MAX_EVENT + 1)]: 1 }, MAX_EVENT, 1e9)).toBeUndefined();
    expect(estimatePlainBytes({ a: 'x'.repeat(1000) }, MAX_EVENT, 1000)).toBeUndefined();
  });

  it('queues the bounded copy, not a 10 MiB Buffer, and counts the copy', () => {
    const { bytes, snapshot } = bound({
      action: 'custom_upload',
      context: { file: Buffer.alloc(10 * 1024 * 1024), name: 'a.bin' },
    });
    expect(snapshot.context).toEqual({ file: '[Buffer 10485760 bytes]', name: 'a.bin' });
    expect(bytes).toBeLessThan(4096);
  });

  it('queues a copy of a Map and a Set with their entries counted', () => {
    const map = new Map(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(100)]));
    const { bytes, snapshot } = bound({
      action: 'custom_x',
      context: { map, set: new Set([1, 2]) },
    });
    expect(snapshot.context?.map).not.toBeInstanceOf(Map);
    expect(Object.keys(snapshot.context?.map as object)).toHaveLength(1001);
    expect(bytes).toBeGreaterThan(1000 * 200);
  });

  it('cuts a string longer than maxEventBytes in the queue (it could not be sent whole)', () => {
    const { bytes, snapshot } = bound({
      action: 'login_failed',
      user: { username: 'u'.repeat(10_000_000) },
    });
    expect(String(snapshot.user?.username).length).toBeLessThan(MAX_EVENT + 20);
    expect(bytes).toBeGreaterThanOrEqual(2 * MAX_EVENT);
    expect(bytes).toBeLessThan(3 * MAX_EVENT);
  });

  it('cuts a huge custom action name and app, and drops a client IP no address can be', () => {
    const { bytes, snapshot } = bound({
      action: `custom_${'a'.repeat(1_000_000)}`,
      app: 'b'.repeat(1_000_000),
      clientIp: 'c'.repeat(1_000_000),
    });
    expect(snapshot.action.startsWith('custom_a')).toBe(true);
    expect(snapshot.action.length).toBeLessThan(MAX_EVENT + 20);
    expect((snapshot.app as string).length).toBeLessThan(MAX_EVENT + 20);
    expect(snapshot.clientIp).toBeNull();
    expect(bytes).toBeLessThan(5 * MAX_EVENT);
  });

  it('leaves a small plain event as it is (no copy on the request path)', () => {
    const context = { http_request: { path: '/', method: 'GET' } };
    const { snapshot } = bound({ action: 'custom_x', context });
    expect(snapshot.context).toBe(context);
  });
});
