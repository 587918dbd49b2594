import { describe, expect, it } from 'vitest';
import { serializeWithin, TRUNCATION_MARKER } from '../../src/payload/truncate.js';

interface TestEvent {
  action: string;
  app: string;
  context: Record<string, unknown>;
}

function event(context: Record<string, unknown>): TestEvent {
  return { action: 'custom_', app: 'shop', context };
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A small deterministic PRNG, so the property test is repeatable. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `fitted` is `original` with some strings cut to a prefix ending in the marker. */
function expectCutFrom(fitted: unknown, original: unknown): void {
  if (typeof original === 'string') {
    const text = fitted as string;
    if (text === original) return;
    expect(text.endsWith(TRUNCATION_MARKER)).toBe(true);
    const kept = text.slice(0, -TRUNCATION_MARKER.length);
    // A cut inside a surrogate pair leaves U+FFFD in place of its first half.
    expect(original.startsWith(kept) || original.startsWith(kept.slice(0, -1))).toBe(true);
    return;
  }
  if (original === null || typeof original !== 'object') {
    expect(fitted).toEqual(original);
    return;
  }
  // A whole object or array replaced by its size, when cutting strings was not enough.
  if (typeof fitted === 'string' && /^\[Truncated: \d+ bytes\]$/.test(fitted)) return;
  for (const [key, value] of Object.entries(original)) {
    expectCutFrom((fitted as Record<string, unknown>)[key], value);
  }
}

describe('serializeWithin', () => {
  it('returns the plain JSON untouched when it fits', () => {
    const e = event({ message: 'hello', n: 1, nested: { list: ['a', 'b'] } });
    const expected = JSON.stringify(e);
    expect(serializeWithin(e, 1024)).toBe(expected);
    expect(e.context.message).toBe('hello');
  });

  it('returns it untouched when it fits exactly', () => {
    const e = event({ message: 'x'.repeat(500) });
    const json = JSON.stringify(e);
    expect(serializeWithin(event({ message: 'x'.repeat(500) }), bytes(json))).toBe(json);
  });

  it('cuts a string when the JSON is one byte too large', () => {
    const e = event({ message: 'x'.repeat(500) });
    const limit = bytes(JSON.stringify(e)) - 1;
    const json = serializeWithin(e, limit);
    expect(json).toBeDefined();
    expect(bytes(json as string)).toBeLessThanOrEqual(limit);
    expect((JSON.parse(json as string) as TestEvent).context.message).toMatch(/^x+…\[truncated\]$/);
  });

  it('cuts one long string just enough to fit (and ends it with the marker)', () => {
    const e = event({ message: 'a'.repeat(5000), short: 'keep me' });
    const json = serializeWithin(e, 1000);
    expect(json).toBeDefined();
    const size = bytes(json as string);
    expect(size).toBeLessThanOrEqual(1000);
    expect(size).toBeGreaterThan(1000 - 16);
    const parsed = JSON.parse(json as string) as TestEvent;
    expect(parsed.context.short).toBe('keep me');
    expect(parsed.context.message).toMatch(
      new RegExp(`^a+${TRUNCATION_MARKER.replace(/[[\]]/g, '\\$&')}$`),
    );
  });

  it('cuts the longest strings first and leaves shorter ones alone', () => {
    const e = event({
      longest: 'L'.repeat(4000),
      medium: 'M'.repeat(600),
      short: 'S'.repeat(100),
    });
    const json = serializeWithin(e, 2000);
    expect(json).toBeDefined();
    expect(bytes(json as string)).toBeLessThanOrEqual(2000);
    const parsed = JSON.parse(json as string) as TestEvent;
    expect(parsed.context.medium).toBe('M'.repeat(600));
    expect(parsed.context.short).toBe('S'.repeat(100));
    expect((parsed.context.longest as string).endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('moves on to the next longest string when one cut is not enough', () => {
    const e = event({ a: 'a'.repeat(3000), b: 'b'.repeat(3000), c: 'c'.repeat(100) });
    const json = serializeWithin(e, 1000);
    expect(json).toBeDefined();
    expect(bytes(json as string)).toBeLessThanOrEqual(1000);
    const parsed = JSON.parse(json as string) as TestEvent;
    expect((parsed.context.a as string).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect((parsed.context.b as string).endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(parsed.context.c).toBe('c'.repeat(100));
  });

  it('cuts strings inside nested objects and arrays', () => {
    const e = event({ nested: { list: ['z'.repeat(4000), 'short'] } });
    const json = serializeWithin(e, 1000);
    expect(json).toBeDefined();
    expect(bytes(json as string)).toBeLessThanOrEqual(1000);
    const parsed = JSON.parse(json as string) as { context: { nested: { list: string[] } } };
    expect(parsed.context.nested.list[1]).toBe('short');
    expect(parsed.context.nested.list[0]?.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('counts bytes, not characters, for multibyte text', () => {
    // 1500 characters of 3 bytes each: 4500 bytes of text although only 1500 characters.
    const e = event({ text: '日'.repeat(1500) });
    const json = serializeWithin(e, 2000);
    expect(json).toBeDefined();
    expect(bytes(json as string)).toBeLessThanOrEqual(2000);
    const text = (JSON.parse(json as string) as TestEvent).context.text as string;
    expect(text).toMatch(/^日+…\[truncated\]$/);
  });

  it('never leaves half a surrogate pair when it cuts emoji', () => {
    for (let limit = 600; limit < 700; limit++) {
      const e = event({ text: '😀'.repeat(1000) });
      const json = serializeWithin(e, limit);
      expect(json).toBeDefined();
      expect(bytes(json as string)).toBeLessThanOrEqual(limit);
      const text = (JSON.parse(json as string) as TestEvent).context.text as string;
      expect(text.isWellFormed()).toBe(true);
    }
  });

  it('cuts strings of 64 characters or less only as a last resort', () => {
    const context: Record<string, unknown> = { keep: 'k'.repeat(64), long: 'l'.repeat(3000) };
    const json = serializeWithin(event(context), 1024) as string;
    expect((JSON.parse(json) as TestEvent).context.keep).toBe('k'.repeat(64));
  });

  it('drops entries of a context of many short strings, with a marker that says how many', () => {
    const context: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) context[`k${i}`] = 'v'.repeat(64);
    const e = event({ ...context, event_id: 'id-1', custom_action: 'probe' });
    const json = serializeWithin(e, 1024) as string;
    expect(bytes(json)).toBeLessThanOrEqual(1024);
    const sent = (JSON.parse(json) as TestEvent).context;
    expect(sent).toMatchObject({ event_id: 'id-1', custom_action: 'probe' });
    const dropped = /^\[Truncated: (\d+) entries, \d+ bytes\]$/.exec(sent['…'] as string);
    expect(Number(dropped?.[1])).toBe(
      40 - Object.keys(sent).filter((k) => /^k\d+$/.test(k)).length,
    );
    // The input is not modified.
    expect(e.context.k0).toBe('v'.repeat(64));
  });

  it('cuts the app as well', () => {
    const json = serializeWithin({ action: 'custom_', app: 'A'.repeat(5000), context: {} }, 1024);
    expect(bytes(json as string)).toBeLessThanOrEqual(1024);
    expect((JSON.parse(json as string) as TestEvent).app).toMatch(/^A+…\[truncated\]$/);
  });

  it('returns undefined only when even the emptied event cannot fit', () => {
    const many: Record<string, number> = {};
    for (let i = 0; i < 500; i++) many[`key_${i}`] = i;
    expect(serializeWithin(event({ many, long: 'x'.repeat(10_000) }), 1024)).toBeDefined();
    expect(serializeWithin(event({ many }), 30)).toBeUndefined();
  });

  it('always returns undefined or JSON of at most maxBytes bytes (randomised)', () => {
    const random = mulberry32(42);
    const alphabet = ['a', 'é', '日', '😀', '"', '\\', '\n', '\u0001'];
    const randomString = (length: number) => {
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      return text;
    };
    let cut = 0;
    for (let round = 0; round < 300; round++) {
      const context: Record<string, unknown> = {};
      const fields = 1 + Math.floor(random() * 6);
      for (let f = 0; f < fields; f++) {
        const value = randomString(Math.floor(random() * 3000));
        context[`f${f}`] = random() < 0.3 ? { inner: [value] } : value;
      }
      const limit = 1024 + Math.floor(random() * 8000);
      const e = event(context);
      const json = serializeWithin(e, limit);
      if (json === undefined) continue;
      expect(bytes(json)).toBeLessThanOrEqual(limit);
      expectCutFrom(JSON.parse(json), e);
      if (json.includes(TRUNCATION_MARKER)) cut++;
    }
    // The generator is meant to exercise cutting, not just the fast path.
    expect(cut).toBeGreaterThan(50);
  });

  it('fits a single long string whatever the limit (one cut is enough)', () => {
    for (let limit = 1024; limit < 1200; limit++) {
      const e = event({ message: 'm'.repeat(10_000) });
      const json = serializeWithin(e, limit);
      expect(json, `limit ${limit}`).toBeDefined();
      expect(bytes(json as string)).toBeLessThanOrEqual(limit);
    }
  });
});

describe('hostile input: a large field cannot erase an audit event', () => {
  const LONG = 70_000;

  function loginFailed(fields: {
    username?: string;
    key?: string;
    brandName?: string;
  }): Record<string, unknown> {
    return {
      action: 'login_failed',
      app: 'shop',
      user: { pk: 7, username: fields.username ?? 'jane', email: 'jane@example.com' },
      context: {
        ...(fields.key ? { [fields.key]: 'value' } : {}),
        event_id: 'c2f0d2b4-6f7e-4d3a-9a7e-2f9f0a0b0c0d',
        http_request: { path: '/login', method: 'POST' },
      },
      brand: { pk: 'b1', name: fields.brandName ?? 'Shop', app: 'authentik_brands' },
      client_ip: '203.0.113.7',
    };
  }

  function fit(event: Record<string, unknown>, limit = 65_536) {
    const json = serializeWithin(event, limit);
    expect(json, 'the event is kept').toBeDefined();
    expect(bytes(json as string)).toBeLessThanOrEqual(limit);
    return JSON.parse(json as string) as {
      app: string;
      user: Record<string, unknown>;
      context: Record<string, unknown>;
      brand: Record<string, unknown>;
      client_ip: string;
    };
  }

  it('cuts a 70 000-character username, with the marker', () => {
    const sent = fit(loginFailed({ username: 'u'.repeat(LONG) }));
    expect(sent.user.username).toMatch(/^u+…\[truncated\]$/);
    expect(sent.user).toMatchObject({ pk: 7, email: 'jane@example.com' });
    expect(sent.client_ip).toBe('203.0.113.7');
    expect(sent.context.event_id).toBe('c2f0d2b4-6f7e-4d3a-9a7e-2f9f0a0b0c0d');
  });

  it('cuts a 70 000-character context key, with the marker', () => {
    const sent = fit(loginFailed({ key: 'k'.repeat(LONG) }));
    const cut = Object.keys(sent.context).find((key) => key.startsWith('kkk'));
    expect(cut).toMatch(/^k+…\[truncated\]$/);
    expect(sent.context[cut as string]).toBe('value');
  });

  it('cuts a 70 000-character brand name, with the marker', () => {
    const sent = fit(loginFailed({ brandName: 'b'.repeat(LONG) }));
    expect(sent.brand.name).toMatch(/^b+…\[truncated\]$/);
    expect(sent.brand.pk).toBe('b1');
  });

  it('cuts several long fields to a common length (none is wiped for the others)', () => {
    const sent = fit(
      loginFailed({
        username: 'u'.repeat(LONG),
        key: 'k'.repeat(LONG),
        brandName: 'b'.repeat(LONG),
      }),
    );
    const key = Object.keys(sent.context).find((k) => k.startsWith('kkk')) as string;
    const lengths = [
      (sent.user.username as string).length,
      key.length,
      (sent.brand.name as string).length,
    ];
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThan(64);
    expect(Math.min(...lengths)).toBeGreaterThan(15_000);
  });

  it('keeps keys unique when two long keys share their beginning', () => {
    const prefix = 'p'.repeat(5000);
    const sent = fit(
      { action: 'custom_', app: 'a', context: { [`${prefix}1`]: 1, [`${prefix}2`]: 2 } },
      1024,
    );
    expect(Object.values(sent.context).sort()).toEqual([1, 2]);
  });

  it('never cuts context.event_id, even as a last resort', () => {
    const context: Record<string, unknown> = { event_id: 'e'.repeat(36) };
    for (let i = 0; i < 300; i++) context[`f${i}`] = { nested: [i, 'x'.repeat(50)] };
    const sent = fit({ action: 'custom_', app: 'a'.repeat(5000), context }, 1024);
    expect(sent.context.event_id).toBe('e'.repeat(36));
  });

  it('counts multibyte keys and values in bytes', () => {
    for (let limit = 1024; limit < 1100; limit += 7) {
      const sent = fit(
        { action: 'custom_', app: 'a', context: { ['日'.repeat(2000)]: '😀'.repeat(2000) } },
        limit,
      );
      for (const [key, value] of Object.entries(sent.context)) {
        expect(key.isWellFormed() && String(value).isWellFormed()).toBe(true);
      }
    }
  });
});
