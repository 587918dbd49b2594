import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../src/payload/redact.js';
import { sanitizeRecord } from '../../src/payload/sanitize.js';

const MASK = '********************';

function redact(
  record: Record<string, unknown>,
  redactor = new Redactor(),
): Record<string, unknown> {
  return sanitizeRecord(record, { redactor });
}

describe('REDACTED', () => {
  it('is exactly 20 asterisks, like authentik', () => {
    expect(REDACTED).toBe(MASK);
    expect(REDACTED).toHaveLength(20);
    expect(REDACTED).toMatch(/^\*{20}$/);
  });
});

describe('Redactor.isSensitive: authentik list', () => {
  const redactor = new Redactor();

  it.each([
    'api',
    'API_URL',
    'x-api-version',
    'auth',
    'Authorization',
    'oauth_state',
    'token',
    'access_token',
    'csrfToken',
    'key',
    'apiKey',
    'monkey',
    'secret',
    'client_secret',
    'pass',
    'password',
    'PASSWORD',
    'passphrase',
    'signature',
    'X-Hub-Signature',
    'cookie',
    'Set-Cookie',
    'HTTP_COOKIE',
  ])('masks %s', (key) => {
    expect(redactor.isSensitive(key)).toBe(true);
  });

  it.each([
    'username',
    'email',
    'path',
    'method',
    'user_agent',
    'status',
    'duration_ms',
    'id',
    'message',
  ])('keeps %s', (key) => {
    expect(redactor.isSensitive(key)).toBe(false);
  });

  it.each([
    'passing',
    'PASSING',
    'tests_passing',
    'password_change_date',
    'Password_Change_Date',
    'auth_method',
    'AUTH_METHOD',
    'auth_method_args',
  ])('lets authentik exception %s through', (key) => {
    expect(redactor.isSensitive(key)).toBe(false);
  });

  it.each(['auth_methods', 'my_auth_method', 'auth_method_argsx', 'auth_method_arg'])(
    'does not stretch the auth_method exception to %s (authentik anchors it)',
    (key) => {
      expect(redactor.isSensitive(key)).toBe(true);
    },
  );

  it('gives the same answer when asked twice (cache)', () => {
    const r = new Redactor();
    expect(r.isSensitive('token')).toBe(true);
    expect(r.isSensitive('token')).toBe(true);
    expect(r.isSensitive('name')).toBe(false);
    expect(r.isSensitive('name')).toBe(false);
  });

  it('stays correct beyond its cache size', () => {
    const r = new Redactor();
    for (let i = 0; i < 5000; i++) r.isSensitive(`field_${i}`);
    expect(r.isSensitive('late_token')).toBe(true);
    expect(r.isSensitive('late_name')).toBe(false);
  });
});

describe('Redactor options', () => {
  it('adds extra key fragments, case-insensitively, on top of authentik list', () => {
    const r = new Redactor(['ssn', 'Card']);
    expect(r.isSensitive('user_SSN')).toBe(true);
    expect(r.isSensitive('credit_card_number')).toBe(true);
    expect(r.isSensitive('token')).toBe(true);
    expect(r.isSensitive('name')).toBe(false);
  });

  it('treats extra fragments literally, not as regular expressions', () => {
    const r = new Redactor(['a.b', '(x)']);
    expect(r.isSensitive('a.b')).toBe(true);
    expect(r.isSensitive('axb')).toBe(false);
    expect(r.isSensitive('(x)')).toBe(true);
    expect(r.isSensitive('x')).toBe(false);
  });

  it('lets keys in `except` through, matched whole and case-insensitively', () => {
    const r = new Redactor([], ['api_version', 'Public_Key']);
    expect(r.isSensitive('api_version')).toBe(false);
    expect(r.isSensitive('API_VERSION')).toBe(false);
    expect(r.isSensitive('public_key')).toBe(false);
    expect(r.isSensitive('api_version_2')).toBe(true);
    expect(r.isSensitive('private_key')).toBe(true);
  });
});

describe('sanitizeRecord with a Redactor', () => {
  it('replaces sensitive string, number, boolean and BigInt values with exactly 20 asterisks', () => {
    expect(
      redact({
        password: 'hunter2',
        api_key: 12345,
        isAuthenticated: true,
        tokenId: 99n,
        username: 'jane',
      }),
    ).toEqual({
      password: MASK,
      api_key: MASK,
      isAuthenticated: MASK,
      tokenId: MASK,
      username: 'jane',
    });
  });

  it('masks Dates and binary under a sensitive key', () => {
    expect(redact({ token_expiry: new Date(0), secret_blob: Buffer.from('x') })).toEqual({
      token_expiry: MASK,
      secret_blob: MASK,
    });
  });

  it('keeps the exceptions authentik keeps', () => {
    expect(
      redact({
        passing: true,
        password_change_date: '2024-01-01',
        auth_method: 'password',
        auth_method_args: { mfa_devices: ['totp'] },
      }),
    ).toEqual({
      passing: true,
      password_change_date: '2024-01-01',
      auth_method: 'password',
      auth_method_args: { mfa_devices: ['totp'] },
    });
  });

  it('descends into dict values under a sensitive key instead of replacing them', () => {
    expect(
      redact({
        auth: { username: 'jane', password: 'x', method: 'basic' },
        secrets: { nested: { token: 't', note: 'hello' } },
      }),
    ).toEqual({
      auth: { username: 'jane', password: MASK, method: 'basic' },
      secrets: { nested: { token: MASK, note: 'hello' } },
    });
  });

  it('masks each item of a list under a sensitive key', () => {
    expect(redact({ api_keys: ['a', 'b', 3, false] })).toEqual({
      api_keys: [MASK, MASK, MASK, MASK],
    });
  });

  it('descends into dicts inside a list under a sensitive key', () => {
    expect(redact({ tokens: [{ name: 'ci', token: 'abc' }, 'raw'] })).toEqual({
      tokens: [{ name: 'ci', token: MASK }, MASK],
    });
  });

  it('masks nested lists under a sensitive key', () => {
    expect(redact({ keys: [['a'], ['b', 'c']] })).toEqual({ keys: [[MASK], [MASK, MASK]] });
  });

  it('masks Set items under a sensitive key', () => {
    expect(redact({ secret_set: new Set(['a', 'b']) })).toEqual({ secret_set: [MASK, MASK] });
  });

  it('applies to Map keys like object keys', () => {
    expect(
      redact({
        headers: new Map([
          ['Cookie', 'sid=1'],
          ['Accept', 'json'],
        ]),
      }),
    ).toEqual({
      headers: { Cookie: MASK, Accept: 'json' },
    });
  });

  it('masks query args in http_request like authentik does', () => {
    expect(
      redact({
        http_request: {
          path: '/cb',
          method: 'GET',
          args: { code: 'c', state: 's', access_token: 'AT', next: '/home' },
          user_agent: 'curl',
        },
      }),
    ).toEqual({
      http_request: {
        path: '/cb',
        method: 'GET',
        args: { code: 'c', state: 's', access_token: MASK, next: '/home' },
        user_agent: 'curl',
      },
    });
  });

  it('masks null like authentik masks None, and leaves dropped values dropped, under a sensitive key', () => {
    expect(redact({ token: null, secret: undefined, key: () => 1 })).toEqual({
      token: '********************',
    });
  });

  it('never leaks the secret anywhere in the output', () => {
    const out = redact({
      a: { b: [{ Authorization: 'Bearer SUPERSECRET' }] },
      cookie: 'SUPERSECRET',
    });
    expect(JSON.stringify(out)).not.toContain('SUPERSECRET');
  });

  it('uses extra keys and except given to the Redactor', () => {
    const redactor = new Redactor(['ssn'], ['api_version']);
    expect(redact({ ssn: '123', api_version: 'v3', api_key: 'k' }, redactor)).toEqual({
      ssn: MASK,
      api_version: 'v3',
      api_key: MASK,
    });
  });

  it('does not mask anything with redactor: false', () => {
    expect(sanitizeRecord({ password: 'p', token: 't' }, { redactor: false })).toEqual({
      password: 'p',
      token: 't',
    });
  });

  it('matches a key after NUL characters are removed from it', () => {
    expect(redact({ 'pass\u0000word': 'x' })).toEqual({ password: MASK });
  });
});

describe('hostile input: huge key lists and long keys keep redaction bounded', () => {
  const fragments = Array.from({ length: 100_000 }, (_, i) => `internal_${i}_ref`);

  it('masks by any of 100 000 extra fragments, case-insensitively', () => {
    const redactor = new Redactor(fragments);
    expect(redactor.isSensitive('x_INTERNAL_54321_REF_y')).toBe(true);
    expect(redactor.isSensitive('my_api_key')).toBe(true);
    expect(redactor.isSensitive('password_change_date')).toBe(false);
    expect(redactor.isSensitive('internal_100000_re')).toBe(false);
  });

  it('checks 2000 distinct keys against 100 000 fragments in bounded time', () => {
    const redactor = new Redactor(fragments);
    const start = performance.now();
    for (let i = 0; i < 2000; i++) redactor.isSensitive(`field_number_${i}_from_a_query_string`);
    // The alternation took 9 ms a key (18 s here); generous for a loaded machine.
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('caches short keys only, so hostile long keys are not kept', () => {
    const redactor = new Redactor();
    for (let i = 0; i < 100; i++) redactor.isSensitive(`${i}${'k'.repeat(100_000)}`);
    const cache = (redactor as unknown as { cache: Map<string, boolean> }).cache;
    expect(cache.size).toBe(0);
    redactor.isSensitive('short_key');
    expect(cache.size).toBe(1);
  });
});
