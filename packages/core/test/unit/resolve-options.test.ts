import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { ClientOptions } from '../../src/options.js';
import { resolveOptions } from '../../src/resolve-options.js';

const TOKEN = 'tok3n-Recognisable-4f9a8b7c6d5e';
const base = { url: 'https://auth.example.com', token: TOKEN, app: 'shop' } satisfies ClientOptions;
const noEnv = {};

/** The ConfigError `fn` throws (fails the test if it throws nothing or something else). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

function refuse(
  options: Record<string, unknown>,
  env: Record<string, string> = noEnv,
): ConfigError {
  return configError(() => resolveOptions(options as ClientOptions, env));
}

describe('resolveOptions: defaults', () => {
  it('fills in the defaults of DESIGN.md', () => {
    const resolved = resolveOptions(base, noEnv);
    expect(resolved).toEqual({
      baseUrl: new URL('https://auth.example.com/'),
      endpoint: new URL('https://auth.example.com/api/v3/events/events/'),
      token: TOKEN,
      app: 'shop',
      batchSize: 50,
      flushIntervalMs: 1000,
      concurrency: undefined,
      maxConcurrency: 32,
      maxQueueSize: 10_000,
      maxQueueBytes: 16 * 1024 * 1024,
      overflow: 'drop-newest',
      requestTimeoutMs: 10_000,
      delivery: 'background',
      retry: { retries: 8, minDelayMs: 500, maxDelayMs: 30_000, maxRetryTimeMs: 600_000 },
      maxEventBytes: 64 * 1024,
      redact: { keys: [], except: [] },
      beforeSend: undefined,
      onError: undefined,
      onDrop: undefined,
    });
    expect(resolved.maxQueueBytes).toBe(16_777_216);
    expect(resolved.maxEventBytes).toBe(65_536);
  });

  it('concurrency is a fixed limit; without it the limit adapts up to maxConcurrency', () => {
    expect(resolveOptions({ ...base, maxConcurrency: 8 }, noEnv)).toMatchObject({
      concurrency: undefined,
      maxConcurrency: 8,
    });
    expect(resolveOptions({ ...base, concurrency: 1 }, noEnv)).toMatchObject({
      concurrency: 1,
      maxConcurrency: 1,
    });
    const both = refuse({ ...base, concurrency: 4, maxConcurrency: 8 });
    expect(both.message).toContain('cannot be set together with concurrency');
    expect(both.message).toContain('keep one of them');
  });

  it('takes every option that is given', () => {
    const beforeSend = () => null;
    const onError = () => {};
    const onDrop = () => {};
    const resolved = resolveOptions(
      {
        ...base,
        batchSize: 10,
        flushIntervalMs: 250,
        concurrency: 2,
        maxQueueSize: 100,
        maxQueueBytes: 4096,
        overflow: 'drop-oldest',
        requestTimeoutMs: 3000,
        retry: { retries: 0, minDelayMs: 10, maxDelayMs: 100, maxRetryTimeMs: 5000 },
        maxEventBytes: 2048,
        redact: { keys: ['ssn'], except: ['api_version'] },
        beforeSend,
        onError,
        onDrop,
      },
      noEnv,
    );
    expect(resolved).toMatchObject({
      batchSize: 10,
      flushIntervalMs: 250,
      concurrency: 2,
      maxConcurrency: 2,
      maxQueueSize: 100,
      maxQueueBytes: 4096,
      overflow: 'drop-oldest',
      requestTimeoutMs: 3000,
      retry: { retries: 0, minDelayMs: 10, maxDelayMs: 100, maxRetryTimeMs: 5000 },
      maxEventBytes: 2048,
      redact: { keys: ['ssn'], except: ['api_version'] },
    });
    expect(resolved.beforeSend).toBe(beforeSend);
    expect(resolved.onError).toBe(onError);
    expect(resolved.onDrop).toBe(onDrop);
  });

  it('redact: false turns redaction off, true keeps the default', () => {
    expect(resolveOptions({ ...base, redact: false }, noEnv).redact).toBe(false);
    expect(resolveOptions({ ...base, redact: true }, noEnv).redact).toEqual({
      keys: [],
      except: [],
    });
  });

  it('raises maxDelayMs to minDelayMs when it is smaller', () => {
    expect(
      resolveOptions({ ...base, retry: { minDelayMs: 2000, maxDelayMs: 100 } }, noEnv).retry,
    ).toEqual({
      retries: 8,
      minDelayMs: 2000,
      maxDelayMs: 2000,
      maxRetryTimeMs: 600_000,
    });
  });
});

describe('resolveOptions: environment', () => {
  const env = {
    AUTHENTIK_URL: 'https://env.example.com',
    AUTHENTIK_TOKEN: 'env-token',
    AUTHENTIK_APP: 'env-app',
  };

  it('takes url, token and app from AUTHENTIK_URL, AUTHENTIK_TOKEN, AUTHENTIK_APP', () => {
    const resolved = resolveOptions({}, env);
    expect(resolved.endpoint.href).toBe('https://env.example.com/api/v3/events/events/');
    expect(resolved.token).toBe('env-token');
    expect(resolved.app).toBe('env-app');
  });

  it('prefers the options over the environment', () => {
    const resolved = resolveOptions(base, env);
    expect(resolved.endpoint.href).toBe('https://auth.example.com/api/v3/events/events/');
    expect(resolved.token).toBe(TOKEN);
    expect(resolved.app).toBe('shop');
  });

  it('mixes options and environment', () => {
    const resolved = resolveOptions({ app: 'mine' }, env);
    expect(resolved.app).toBe('mine');
    expect(resolved.token).toBe('env-token');
  });

  it('reads process.env when no env is passed', () => {
    const saved = { ...process.env };
    try {
      process.env.AUTHENTIK_URL = 'https://process.example.com';
      process.env.AUTHENTIK_TOKEN = 'process-token';
      process.env.AUTHENTIK_APP = 'process-app';
      const resolved = resolveOptions({});
      expect(resolved.endpoint.href).toBe('https://process.example.com/api/v3/events/events/');
      expect(resolved.token).toBe('process-token');
      expect(resolved.app).toBe('process-app');
    } finally {
      for (const key of ['AUTHENTIK_URL', 'AUTHENTIK_TOKEN', 'AUTHENTIK_APP']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});

describe('resolveOptions: endpoint', () => {
  it.each([
    ['https://auth.example.com', 'https://auth.example.com/api/v3/events/events/'],
    ['https://auth.example.com/', 'https://auth.example.com/api/v3/events/events/'],
    ['https://x/authentik/', 'https://x/authentik/api/v3/events/events/'],
    ['https://x/authentik', 'https://x/authentik/api/v3/events/events/'],
    ['https://x/a/b/', 'https://x/a/b/api/v3/events/events/'],
    ['https://auth.example.com:9443', 'https://auth.example.com:9443/api/v3/events/events/'],
    ['HTTPS://Auth.Example.COM', 'https://auth.example.com/api/v3/events/events/'],
    ['http://localhost:9000', 'http://localhost:9000/api/v3/events/events/'],
  ])('%s -> %s', (url, endpoint) => {
    const resolved = resolveOptions({ ...base, url }, noEnv);
    expect(resolved.endpoint.href).toBe(endpoint);
    expect(resolved.endpoint.pathname.endsWith('/api/v3/events/events/')).toBe(true);
  });
});

describe('resolveOptions: plain http', () => {
  it.each([
    'http://auth.example.com',
    'http://10.0.0.5:9000',
    'http://[2001:db8::1]/',
    'http://localhostx.com',
  ])('refuses %s without allowInsecureHttp', (url) => {
    const error = refuse({ ...base, url });
    expect(error.option).toBe('url');
    expect(error.message).toContain('allowInsecureHttp');
    expect(error.message).toContain('@authentik-events: option "url"');
  });

  it('accepts it with allowInsecureHttp: true', () => {
    const resolved = resolveOptions(
      { ...base, url: 'http://auth.internal:9000', allowInsecureHttp: true },
      noEnv,
    );
    expect(resolved.endpoint.href).toBe('http://auth.internal:9000/api/v3/events/events/');
  });

  it.each([
    'http://127.0.0.1:9000',
    'http://127.1.2.3',
    'http://[::1]:9000',
    'http://localhost',
    'http://LOCALHOST:8080/prefix/',
    'http://auth.localhost',
  ])('accepts the loopback host %s', (url) => {
    const resolved = resolveOptions({ ...base, url }, noEnv);
    expect(resolved.endpoint.protocol).toBe('http:');
    expect(resolved.endpoint.pathname.endsWith('/api/v3/events/events/')).toBe(true);
  });
});

describe('resolveOptions: ConfigError naming the option', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['missing url', { token: TOKEN, app: 'shop' }, 'url'],
    ['empty url', { ...base, url: '' }, 'url'],
    ['url that is not a URL', { ...base, url: 'auth.example.com' }, 'url'],
    ['url that is not a URL (spaces)', { ...base, url: 'not a url' }, 'url'],
    ['url of another scheme', { ...base, url: 'ftp://auth.example.com' }, 'url'],
    ['url with credentials', { ...base, url: 'https://user:pw@auth.example.com' }, 'url'],
    ['url not a string', { ...base, url: 42 }, 'url'],
    ['missing token', { url: base.url, app: 'shop' }, 'token'],
    ['empty token', { ...base, token: '' }, 'token'],
    ['token not a string', { ...base, token: 12345 }, 'token'],
    ['token with whitespace', { ...base, token: ` ${TOKEN}\n` }, 'token'],
    ['missing app', { url: base.url, token: TOKEN }, 'app'],
    ['blank app', { ...base, app: '   ' }, 'app'],
    ['app with NUL', { ...base, app: 'a\u0000b' }, 'app'],
    ['negative batchSize', { ...base, batchSize: -1 }, 'batchSize'],
    ['zero batchSize', { ...base, batchSize: 0 }, 'batchSize'],
    ['non-integer batchSize', { ...base, batchSize: 1.5 }, 'batchSize'],
    ['string batchSize', { ...base, batchSize: '50' }, 'batchSize'],
    ['zero flushIntervalMs', { ...base, flushIntervalMs: 0 }, 'flushIntervalMs'],
    ['zero concurrency', { ...base, concurrency: 0 }, 'concurrency'],
    ['huge concurrency', { ...base, concurrency: 1000 }, 'concurrency'],
    ['zero maxConcurrency', { ...base, maxConcurrency: 0 }, 'maxConcurrency'],
    ['fractional maxConcurrency', { ...base, maxConcurrency: 2.5 }, 'maxConcurrency'],
    ['huge maxConcurrency', { ...base, maxConcurrency: 257 }, 'maxConcurrency'],
    ['string maxConcurrency', { ...base, maxConcurrency: '32' }, 'maxConcurrency'],
    ['Infinity maxConcurrency', { ...base, maxConcurrency: Infinity }, 'maxConcurrency'],
    [
      'concurrency and maxConcurrency',
      { ...base, concurrency: 4, maxConcurrency: 8 },
      'maxConcurrency',
    ],
    ['zero maxQueueSize', { ...base, maxQueueSize: 0 }, 'maxQueueSize'],
    ['negative maxQueueBytes', { ...base, maxQueueBytes: -5 }, 'maxQueueBytes'],
    ['non-integer maxQueueBytes', { ...base, maxQueueBytes: 10.25 }, 'maxQueueBytes'],
    ['NaN requestTimeoutMs', { ...base, requestTimeoutMs: Number.NaN }, 'requestTimeoutMs'],
    [
      'Infinity requestTimeoutMs',
      { ...base, requestTimeoutMs: Number.POSITIVE_INFINITY },
      'requestTimeoutMs',
    ],
    ['tiny maxEventBytes', { ...base, maxEventBytes: 100 }, 'maxEventBytes'],
    ['unknown overflow', { ...base, overflow: 'drop-random' }, 'overflow'],
    ['negative retries', { ...base, retry: { retries: -1 } }, 'retry.retries'],
    ['non-integer retries', { ...base, retry: { retries: 2.5 } }, 'retry.retries'],
    ['zero maxRetryTimeMs', { ...base, retry: { maxRetryTimeMs: 0 } }, 'retry.maxRetryTimeMs'],
    ['unknown retry key', { ...base, retry: { attempts: 3 } }, 'retry.attempts'],
    ['redact of the wrong type', { ...base, redact: 'yes' }, 'redact'],
    ['beforeSend not a function', { ...base, beforeSend: 'drop' }, 'beforeSend'],
    ['onError not a function', { ...base, onError: {} }, 'onError'],
    ['allowInsecureHttp not a boolean', { ...base, allowInsecureHttp: 'yes' }, 'allowInsecureHttp'],
  ])('%s', (_name, options, option) => {
    const error = refuse(options);
    expect(error.option).toBe(option);
    expect(error.code).toBe('ERR_AUTHENTIK_EVENTS_CONFIG');
    expect(error.name).toBe('ConfigError');
    expect(error.message.startsWith(`@authentik-events: option "${option}" `)).toBe(true);
  });

  it('refuses options that are not an object', () => {
    expect(refuse(null as unknown as Record<string, unknown>).option).toBe('options');
    expect(refuse('https://x' as unknown as Record<string, unknown>).option).toBe('options');
  });

  it('says what to do for a missing token', () => {
    expect(refuse({ url: base.url, app: 'shop' }).message).toContain('AUTHENTIK_TOKEN');
  });
});

describe('resolveOptions: the token never appears in an error', () => {
  const badConfigs: Array<[string, Record<string, unknown>, Record<string, string>?]> = [
    ['url not a URL', { ...base, url: 'not a url' }],
    ['plain http', { ...base, url: 'http://auth.example.com' }],
    ['url with credentials', { ...base, url: `https://svc:${TOKEN}@auth.example.com` }],
    ['url missing', { token: TOKEN, app: 'shop' }],
    ['token with whitespace', { ...base, token: ` ${TOKEN} ` }],
    ['token with a line break', { ...base, token: `${TOKEN}\r\n` }],
    ['app missing', { url: base.url, token: TOKEN }],
    ['bad batchSize', { ...base, batchSize: -1 }],
    ['bad overflow', { ...base, overflow: TOKEN }],
    ['bad redact keys', { ...base, redact: { keys: [TOKEN, ''] } }],
    ['bad beforeSend', { ...base, beforeSend: TOKEN }],
    ['bad allowInsecureHttp', { ...base, allowInsecureHttp: TOKEN }],
    ['token from env, url bad', { url: 'nope', app: 'shop' }, { AUTHENTIK_TOKEN: TOKEN }],
    ['token swapped into url', { url: TOKEN, token: TOKEN, app: 'shop' }],
    [
      'AUTHENTIK_URL holds the token',
      { app: 'shop' },
      { AUTHENTIK_URL: TOKEN, AUTHENTIK_TOKEN: TOKEN },
    ],
  ];

  it.each(badConfigs)('%s', (_name, options, env) => {
    const error = refuse(options, env ?? noEnv);
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(TOKEN.slice(0, 12));
    expect(String(error)).not.toContain(TOKEN);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });
});

describe('silent misconfiguration: an unknown or misspelt option is a ConfigError naming the one meant', () => {
  it.each<[string, Record<string, unknown>, string, string | undefined]>([
    ['concurency', { concurency: 8 }, 'concurency', 'concurrency'],
    ['maxQueSize', { maxQueSize: 5 }, 'maxQueSize', 'maxQueueSize'],
    ['case only', { BatchSize: 5 }, 'BatchSize', 'batchSize'],
    ['retry.retrys', { retry: { retrys: 2 } }, 'retry.retrys', 'retry.retries'],
    ['redact.key', { redact: { key: ['ssn'] } }, 'redact.key', 'redact.keys'],
    ['retries at the top', { retries: 2 }, 'retries', 'retry.retries'],
    ['timeout', { timeout: 100 }, 'timeout', 'requestTimeoutMs'],
    ['baseUrl', { baseUrl: 'https://x.example.com' }, 'baseUrl', 'url'],
    ['far from anything', { colour: 'blue' }, 'colour', undefined],
  ])('%s', (_name, extra, option, meant) => {
    const error = refuse({ ...base, ...extra });
    expect(error.option).toBe(option);
    expect(error.message).toContain('is not an option');
    if (meant) expect(error.message).toContain(`did you mean "${meant}"`);
    else expect(error.message).not.toContain('did you mean');
  });

  it('says that an adapter option is no option of the client', () => {
    const error = refuse({ ...base, autoLog: false });
    expect(error.option).toBe('autoLog');
    expect(error.message).toContain('adapters');
  });

  it('takes an explicit undefined as an option left out', () => {
    expect(() => resolveOptions({ ...base, batchSize: undefined }, noEnv)).not.toThrow();
  });

  it('never quotes the token, even as the name of an unknown option', () => {
    const error = refuse({ ...base, [TOKEN]: true });
    expect(error.message).not.toContain(TOKEN);
    expect(error.option).not.toContain(TOKEN);
  });

  it('knows the ca option (extra CA certificates) and checks its form', () => {
    // A real certificate: the option is parsed at construction, so a bad one fails at start-up.
    const pem = readFileSync(
      new URL('../../../../test/security/fixtures/tls/ca.pem', import.meta.url),
      'utf8',
    );
    expect(resolveOptions({ ...base, ca: pem }, noEnv).ca).toEqual([pem.trim()]);
    expect(
      refuse({ ...base, ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' })
        .option,
    ).toBe('ca');
    expect(() => resolveOptions({ ...base, ca: [pem, Buffer.from(pem)] }, noEnv)).not.toThrow();
    expect(refuse({ ...base, ca: '/etc/ssl/private-ca.pem' }).message).toContain('readFileSync');
    expect(refuse({ ...base, ca: 42 }).option).toBe('ca');
    expect(refuse({ ...base, ca: [] }).option).toBe('ca');
  });
});

describe("timer overflow: every millisecond option stays within Node's 2^31-1 ms timers", () => {
  const MAX = 2 ** 31 - 1;
  it.each<[string, (ms: number) => Record<string, unknown>]>([
    ['requestTimeoutMs', (ms) => ({ requestTimeoutMs: ms })],
    ['flushIntervalMs', (ms) => ({ flushIntervalMs: ms })],
    ['retry.minDelayMs', (ms) => ({ retry: { minDelayMs: ms } })],
    ['retry.maxDelayMs', (ms) => ({ retry: { maxDelayMs: ms } })],
    ['retry.maxRetryTimeMs', (ms) => ({ retry: { maxRetryTimeMs: ms } })],
  ])('%s: 2^31 is refused with the reason, 2^31-1 is taken', (option, make) => {
    for (const ms of [2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const error = refuse({ ...base, ...make(ms) });
      expect(error.option).toBe(option);
      expect(error.message).toContain('2147483647');
      expect(error.message).toContain('timers');
    }
    expect(() => resolveOptions({ ...base, ...make(MAX) }, noEnv)).not.toThrow();
  });

  it('takes Infinity where it means something: no time limit for retries', () => {
    const resolved = resolveOptions({ ...base, retry: { maxRetryTimeMs: Infinity } }, noEnv);
    expect(resolved.retry.maxRetryTimeMs).toBe(Number.POSITIVE_INFINITY);
    expect(refuse({ ...base, flushIntervalMs: Infinity }).option).toBe('flushIntervalMs');
  });
});

describe('hostile token: control characters are refused at construction, never quoted', () => {
  it.each([
    ['NUL', '\u0000'],
    ['SOH', '\u0001'],
    ['ESC', '\u001b'],
    ['DEL', '\u007f'],
    ['C1 NEL', '\u0085'],
    ['C1 CSI', '\u009b'],
    ['tab', '\t'],
    ['line separator', '\u2028'],
    ['non-ASCII', 'é'],
  ])('%s', (_name, character) => {
    for (const token of [
      `${TOKEN}${character}`,
      `${character}${TOKEN}`,
      `ab${character}cd${TOKEN}`,
    ]) {
      const error = refuse({ ...base, token });
      expect(error.option).toBe('token');
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).not.toContain(character);
      expect(JSON.stringify(error)).not.toContain(TOKEN);
    }
  });

  it('says when the bad token came from AUTHENTIK_TOKEN', () => {
    const error = refuse({ url: base.url, app: 'shop' }, { AUTHENTIK_TOKEN: `${TOKEN}\n` });
    expect(error.option).toBe('token');
    expect(error.message).toContain('AUTHENTIK_TOKEN');
    expect(error.message).not.toContain(TOKEN);
  });
});

describe("URL forms: a URL copied with authentik's own paths is cut back to the base it is served under", () => {
  it.each([
    ['https://auth.example.com/api/v3', 'https://auth.example.com/'],
    ['https://auth.example.com/api/v3/', 'https://auth.example.com/'],
    ['https://auth.example.com/api/', 'https://auth.example.com/'],
    ['https://auth.example.com/api/v3/events/events/', 'https://auth.example.com/'],
    ['https://auth.example.com/api/v3/events/events', 'https://auth.example.com/'],
    ['https://auth.example.com/api/v3/core/users/?page=2', 'https://auth.example.com/'],
    ['https://example.com/authentik/', 'https://example.com/authentik/'],
    ['https://example.com/authentik/api/v3/', 'https://example.com/authentik/'],
    ['https://example.com/authentik/api/v3/events/events/', 'https://example.com/authentik/'],
    ['https://auth.example.com/if/admin/#/events/log', 'https://auth.example.com/'],
    ['https://auth.example.com/if/user/', 'https://auth.example.com/'],
    ['https://auth.example.com/application/o/shop/', 'https://auth.example.com/'],
    ['https://example.com/sso/application/o/shop/', 'https://example.com/sso/'],
    ['https://auth.example.com//', 'https://auth.example.com/'],
    ['https://auth.example.com/?x=1#y', 'https://auth.example.com/'],
    ['https://example.com/apis/', 'https://example.com/apis/'],
  ])('%s -> %s', (url, baseUrl) => {
    const resolved = resolveOptions({ ...base, url }, noEnv);
    expect(resolved.baseUrl.href).toBe(baseUrl);
    expect(resolved.endpoint.href).toBe(`${baseUrl}api/v3/events/events/`);
  });

  it('says the scheme is missing for host:port', () => {
    const error = refuse({ ...base, url: 'auth.example.com:9000' });
    expect(error.option).toBe('url');
    expect(error.message).toContain('https://');
  });
});

describe('odd environment values', () => {
  it('takes AUTHENTIK_URL with surrounding whitespace and an API path', () => {
    const resolved = resolveOptions(
      { token: TOKEN, app: 'shop' },
      { AUTHENTIK_URL: '  https://auth.example.com/api/v3/ \n' },
    );
    expect(resolved.endpoint.href).toBe('https://auth.example.com/api/v3/events/events/');
  });

  it.each([
    ['AUTHENTIK_APP', { url: base.url, token: TOKEN }, 'app'],
    ['AUTHENTIK_URL', { token: TOKEN, app: 'shop' }, 'url'],
    ['AUTHENTIK_TOKEN', { url: base.url, app: 'shop' }, 'token'],
  ])('a blank %s is reported as blank', (variable, options, option) => {
    for (const blank of ['', '   ', '\n']) {
      const error = refuse(options, { [variable]: blank });
      expect(error.option).toBe(option);
      if (blank !== '') expect(error.message).toContain(`${variable} is blank`);
    }
  });
});

describe('hostile options objects: read once, safely, whatever they are', () => {
  it('a throwing getter is a ConfigError naming the option', () => {
    const options = {
      ...base,
      get concurrency(): number {
        throw new Error('getter exploded');
      },
    };
    const error = refuse(options);
    expect(error.option).toBe('concurrency');
    expect(error.message).toContain('getter exploded');
  });

  it('a throwing getter inside a nested option is a ConfigError, not a bare error', () => {
    const error = refuse({
      ...base,
      retry: {
        get retries(): number {
          throw new Error('nested getter exploded');
        },
      },
    });
    expect(error).toBeInstanceOf(ConfigError);
  });

  it('a Proxy is read once per option: what is checked is what is used', () => {
    let reads = 0;
    const proxy = new Proxy(
      { ...base, requestTimeoutMs: 1000 },
      {
        get(target, key, receiver) {
          if (key === 'requestTimeoutMs') return ++reads === 1 ? 1000 : 2 ** 31;
          return Reflect.get(target, key, receiver);
        },
      },
    );
    expect(resolveOptions(proxy, noEnv).requestTimeoutMs).toBe(1000);
    expect(reads).toBe(1);
  });

  it('a Proxy whose traps throw is a ConfigError', () => {
    const { proxy, revoke } = Proxy.revocable({ ...base }, {});
    revoke();
    expect(refuse(proxy as Record<string, unknown>).option).toBe('options');
  });

  it('frozen and null-prototype objects are fine', () => {
    expect(() =>
      resolveOptions(Object.freeze({ ...base, retry: Object.freeze({ retries: 1 }) }), noEnv),
    ).not.toThrow();
    expect(() =>
      resolveOptions(Object.assign(Object.create(null) as ClientOptions, base), noEnv),
    ).not.toThrow();
  });

  it('an array is not an options object', () => {
    expect(refuse([] as unknown as Record<string, unknown>).option).toBe('options');
  });

  it('a class passed as a callback is refused (it cannot be called without new)', () => {
    const error = refuse({ ...base, onError: class Reporter {} });
    expect(error.option).toBe('onError');
    expect(error.message).toContain('class');
  });

  it('a change to the options object after construction changes nothing', () => {
    const options: ClientOptions = { ...base, retry: { retries: 2 } };
    const resolved = resolveOptions(options, noEnv);
    (options.retry as { retries: number }).retries = 50;
    options.maxConcurrency = 99;
    expect(resolved.retry.retries).toBe(2);
    expect(resolved.maxConcurrency).toBe(32);
  });
});

describe('prototype pollution cannot configure the client', () => {
  it('a polluted Object.prototype.url / allowInsecureHttp does not redirect the token', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.url = 'http://attacker.example.com';
    proto.allowInsecureHttp = true;
    try {
      const resolved = resolveOptions(
        { token: TOKEN, app: 'shop' },
        {
          AUTHENTIK_URL: 'https://auth.example.com',
        },
      );
      expect(resolved.endpoint.host).toBe('auth.example.com');
      expect(refuse({ token: TOKEN, app: 'shop' }).message).toContain('missing');
    } finally {
      delete proto.url;
      delete proto.allowInsecureHttp;
    }
  });

  it('an options class with getters on its prototype still works', () => {
    class Settings {
      get url() {
        return 'https://auth.example.com';
      }
      get token() {
        return TOKEN;
      }
      get app() {
        return 'shop';
      }
    }
    expect(resolveOptions(new Settings() as ClientOptions, noEnv).app).toBe('shop');
  });

  it('takes a URL object as url', () => {
    const resolved = resolveOptions(
      { ...base, url: new URL('https://auth.example.com/x/') },
      noEnv,
    );
    expect(resolved.endpoint.href).toBe('https://auth.example.com/x/api/v3/events/events/');
  });
});

describe('workerUrl: where a bundled app keeps the delivery worker', () => {
  const HINT =
    "new URL('./delivery-worker.js', import.meta.url), or path.join(__dirname, 'delivery-worker.js') in CommonJS";

  it('takes a file: URL, as a URL or a string, and an absolute path, as a file: URL', () => {
    const url = new URL('file:///srv/app/dist/delivery-worker.js');
    expect(resolveOptions({ ...base, workerUrl: url }, noEnv).workerUrl).toEqual(url);
    expect(resolveOptions({ ...base, workerUrl: url.href }, noEnv).workerUrl).toEqual(url);
    expect(
      resolveOptions({ ...base, workerUrl: '/srv/app/dist/delivery-worker.js' }, noEnv).workerUrl,
    ).toEqual(url);
    expect(
      resolveOptions({ ...base, workerUrl: '/srv/my app/worker #1.js' }, noEnv).workerUrl?.href,
    ).toBe('file:///srv/my%20app/worker%20%231.js');
    expect(resolveOptions(base, noEnv).workerUrl).toBeUndefined();
  });

  it('keeps its own copy: changing the URL object later changes nothing', () => {
    const url = new URL('file:///srv/app/dist/delivery-worker.js');
    const resolved = resolveOptions({ ...base, workerUrl: url }, noEnv);
    url.pathname = '/tmp/elsewhere.js';
    expect(resolved.workerUrl?.href).toBe('file:///srv/app/dist/delivery-worker.js');
  });

  it.each([
    ['a relative path', './dist/delivery-worker.js', 'must be an absolute path'],
    ['a bare file name', 'delivery-worker.js', 'must be an absolute path'],
    ['an http URL', 'https://cdn.example.com/delivery-worker.js', 'not a https: URL'],
    ['a data URL', 'data:text/javascript,1', 'not a data: URL'],
    ['an http URL object', new URL('http://example.com/w.js'), 'not a http: URL'],
    ['a directory', '/srv/app/dist/', 'must name a file, not a directory'],
    [
      'a file URL with a host',
      'file://fileserver/share/w.js',
      'is not a file this system can open',
    ],
    ['an empty string', '', 'must be a file: URL or an absolute path'],
    ['a number', 42, 'must be a file: URL or an absolute path'],
    ['an object', { href: 'file:///w.js' }, 'must be a file: URL or an absolute path'],
    ['a NUL character', '/srv/app/w.js\u0000.png', 'must not contain a NUL character'],
  ])('refuses %s with a ConfigError that says what it must be', (_, workerUrl, says) => {
    const error = refuse({ ...base, workerUrl });
    expect(error.option).toBe('workerUrl');
    expect(error.message).toContain(says);
    expect(error.message.startsWith('@authentik-events: option "workerUrl" is invalid: ')).toBe(
      true,
    );
  });

  it('says how to write it for a relative path', () => {
    expect(refuse({ ...base, workerUrl: 'dist/delivery-worker.js' }).message).toContain(HINT);
  });

  it("refuses it with delivery: 'in-process', which starts no worker", () => {
    const error = refuse({ ...base, delivery: 'in-process', workerUrl: '/srv/w.js' });
    expect(error.option).toBe('workerUrl');
    expect(error.message).toBe(
      `@authentik-events: option "workerUrl" has no use with delivery: 'in-process', which starts no worker; leave one of them out`,
    );
    expect(
      resolveOptions({ ...base, delivery: 'worker', workerUrl: '/srv/w.js' }, noEnv),
    ).toMatchObject({ delivery: 'worker', workerUrl: new URL('file:///srv/w.js') });
  });

  it('suggests it for a misspelling', () => {
    expect(refuse({ ...base, workerURL: '/srv/w.js' }).message).toContain(
      'did you mean "workerUrl"',
    );
  });
});

describe('VERSION', () => {
  it("is package.json's: the delivery worker must say the same one", async () => {
    const { VERSION } = await import('../../src/version.js');
    const manifest = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    expect(VERSION).toBe(manifest.version);
  });
});
