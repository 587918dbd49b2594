import { describe, expect, it } from 'vitest';
import { postEvent, start, valid } from './helpers.js';

// API-FACTS.md "The request", with DRF 3.16's exact messages.
const REQUIRED = 'This field is required.';
const NOT_NULL = 'This field may not be null.';
const BLANK = 'This field may not be blank.';
const NOT_A_DICT = 'Value must be a dictionary, and not have any duplicate keys.';
const BAD_IP = 'Enter a valid IPv4 or IPv6 address.';
const BAD_DATETIME =
  'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';

async function errorsFor(body: unknown): Promise<unknown> {
  const fake = await start();
  const res = await postEvent(fake, body);
  expect(res.status).toBe(400);
  expect(fake.events).toHaveLength(0);
  return res.json;
}

describe('event POST: action', () => {
  it('is required', async () => {
    expect(await errorsFor({ app: 'a' })).toEqual({ action: [REQUIRED] });
  });

  it('must be one of the enum values, case-sensitively', async () => {
    expect(await errorsFor(valid({ action: 'custom_foo' }))).toEqual({
      action: ['"custom_foo" is not a valid choice.'],
    });
    expect(await errorsFor(valid({ action: 'LOGIN' }))).toEqual({
      action: ['"LOGIN" is not a valid choice.'],
    });
    expect(await errorsFor(valid({ action: '' }))).toEqual({
      action: ['"" is not a valid choice.'],
    });
  });

  it('may not be null, and names non-strings as Python prints them', async () => {
    expect(await errorsFor(valid({ action: null }))).toEqual({ action: [NOT_NULL] });
    expect(await errorsFor(valid({ action: true }))).toEqual({
      action: ['"True" is not a valid choice.'],
    });
  });
});

describe('event POST: app', () => {
  it('is required and may not be null', async () => {
    expect(await errorsFor({ action: 'login' })).toEqual({ app: [REQUIRED] });
    expect(await errorsFor(valid({ app: null }))).toEqual({ app: [NOT_NULL] });
  });

  it('may not be blank after trimming', async () => {
    expect(await errorsFor(valid({ app: '' }))).toEqual({ app: [BLANK] });
    expect(await errorsFor(valid({ app: ' \t\n ' }))).toEqual({ app: [BLANK] });
  });

  it('refuses NUL characters', async () => {
    expect(await errorsFor(valid({ app: 'a\u0000b' }))).toEqual({
      app: ['Null characters are not allowed.'],
    });
  });

  it('refuses lone surrogates', async () => {
    expect(await errorsFor('{"action": "login", "app": "a\\ud800"}')).toEqual({
      app: ['Surrogate characters are not allowed: U+D800.'],
    });
  });

  it('refuses booleans and objects, coerces numbers, stores it trimmed, any length', async () => {
    expect(await errorsFor(valid({ app: false }))).toEqual({ app: ['Not a valid string.'] });
    expect(await errorsFor(valid({ app: { a: 1 } }))).toEqual({ app: ['Not a valid string.'] });
    const fake = await start();
    expect((await postEvent(fake, valid({ app: 42 }))).json).toMatchObject({ app: '42' });
    expect((await postEvent(fake, valid({ app: '  my app ' }))).json).toMatchObject({
      app: 'my app',
    });
    const long = 'x'.repeat(100_000);
    expect((await postEvent(fake, valid({ app: long }))).json).toMatchObject({ app: long });
  });
});

describe('event POST: client_ip', () => {
  it('accepts bare IPv4 and IPv6, and null', async () => {
    const fake = await start();
    for (const ip of ['203.0.113.7', '2001:db8::1', null]) {
      const res = await postEvent(fake, valid({ client_ip: ip }));
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ client_ip: ip });
    }
  });

  it('stores an IPv4-mapped IPv6 address as plain IPv4', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid({ client_ip: '::ffff:203.0.113.7' }));
    expect(res.json).toMatchObject({ client_ip: '203.0.113.7' });
  });

  it('stores IPv6 in compressed lower-case form', async () => {
    const fake = await start();
    const res = await postEvent(
      fake,
      valid({ client_ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' }),
    );
    expect(res.json).toMatchObject({ client_ip: '2001:db8::1' });
  });

  it.each(['1.2.3.4:5555', '[::1]:80', 'localhost', '1.2.3', '01.2.3.4', '256.1.1.1', '::g'])(
    'refuses %s',
    async (ip) => {
      expect(await errorsFor(valid({ client_ip: ip }))).toEqual({ client_ip: [BAD_IP] });
    },
  );

  it('refuses "" as blank and non-strings as invalid', async () => {
    expect(await errorsFor(valid({ client_ip: '' }))).toEqual({ client_ip: [BLANK] });
    expect(await errorsFor(valid({ client_ip: 1234 }))).toEqual({ client_ip: [BAD_IP] });
  });

  it('is never filled in from the request', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid(), { 'X-Forwarded-For': '198.51.100.1' });
    expect(res.json).toMatchObject({ client_ip: null });
  });
});

describe('event POST: expires', () => {
  it('accepts ISO-8601 and stores it in UTC', async () => {
    const fake = await start();
    const cases: [string, string][] = [
      ['2030-01-02T03:04:05Z', '2030-01-02T03:04:05Z'],
      ['2030-01-02T03:04:05.123456+02:00', '2030-01-02T01:04:05.123456Z'],
      ['2030-01-02T03:04:05.5-01:30', '2030-01-02T04:34:05.500000Z'],
      ['2030-01-02 03:04', '2030-01-02T03:04:00Z'],
      ['2030-01-02', '2030-01-02T00:00:00Z'],
    ];
    for (const [input, stored] of cases) {
      const res = await postEvent(fake, valid({ expires: input }));
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ expires: stored });
    }
  });

  it.each([
    'tomorrow',
    '2030-13-01T00:00:00Z',
    '2030-02-30T00:00Z',
    '2030-01-01T24:00Z',
    '',
    1893456000,
  ])('refuses %s with the format message', async (expires) => {
    expect(await errorsFor(valid({ expires }))).toEqual({ expires: [BAD_DATETIME] });
  });

  it('refuses null', async () => {
    expect(await errorsFor(valid({ expires: null }))).toEqual({ expires: [NOT_NULL] });
  });
});

describe('event POST: user, context, brand', () => {
  for (const field of ['user', 'context', 'brand']) {
    it(`${field}: null is refused`, async () => {
      expect(await errorsFor(valid({ [field]: null }))).toEqual({ [field]: [NOT_NULL] });
    });

    it(`${field}: lists, strings and numbers are refused with JSONDictField's message`, async () => {
      for (const value of [[], ['a'], 'x', 3]) {
        expect(await errorsFor(valid({ [field]: value }))).toEqual({ [field]: [NOT_A_DICT] });
      }
    });

    it(`${field}: any object is stored as sent`, async () => {
      const fake = await start();
      const value = { a: { b: [1, 'two', null, true] }, 'd.e': '' };
      const res = await postEvent(fake, valid({ [field]: value }));
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ [field]: value });
    });
  }
});

describe('event POST: errors together', () => {
  it("collects every field error in one body, in the serializer's field order", async () => {
    const res = await errorsFor({
      brand: [],
      expires: 'soon',
      client_ip: 'x',
      context: 'c',
      app: '',
      action: 'nope',
      user: null,
    });
    expect(res).toEqual({
      user: [NOT_NULL],
      action: ['"nope" is not a valid choice.'],
      app: [BLANK],
      context: [NOT_A_DICT],
      client_ip: [BAD_IP],
      expires: [BAD_DATETIME],
      brand: [NOT_A_DICT],
    });
    expect(Object.keys(res as object)).toEqual([
      'user',
      'action',
      'app',
      'context',
      'client_ip',
      'expires',
      'brand',
    ]);
  });
});

describe('event POST: NUL characters inside JSON objects', () => {
  it.each([
    ['context value', { context: { note: 'a\u0000b' } }],
    ['context key', { context: { 'k\u0000': 1 } }],
    ['nested context', { context: { a: [{ b: '\u0000' }] } }],
    ['user', { user: { username: '\u0000' } }],
    ['brand', { brand: { name: 'x\u0000' } }],
  ])('500 with an HTML body for a NUL in the %s (PostgreSQL refuses it)', async (_, extra) => {
    const fake = await start();
    const res = await postEvent(fake, valid(extra));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('Server Error (500)');
    expect(fake.events).toHaveLength(0);
  });

  it('does not mistake an escaped backslash followed by u0000 for a NUL', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid({ context: { path: 'C:\\u0000' } }));
    expect(res.status).toBe(201);
  });
});
