import { createRequire } from 'node:module';
import * as esm from '@authentik-events/core';
import { startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';

// The CommonJS build, loaded beside the ESM one, as an app whose dependencies mix both does.
const cjs = createRequire(import.meta.url)('@authentik-events/core') as typeof esm;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function thrownBy(construct: () => unknown): unknown {
  try {
    construct();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('two copies of the package: error classes are recognised across the ESM and CommonJS builds', () => {
  it('loads two distinct copies', () => {
    expect(cjs.ConfigError).not.toBe(esm.ConfigError);
    expect(cjs.createEventClient).not.toBe(esm.createEventClient);
  });

  it.each([
    ['CommonJS', 'ESM', cjs, esm],
    ['ESM', 'CommonJS', esm, cjs],
  ] as const)(
    'a ConfigError thrown by the %s build is instanceof the %s classes',
    (_from, _to, thrower, checker) => {
      const error = thrownBy(() =>
        thrower.createEventClient({ url: 'ftp://x', token: 't', app: 'a' }),
      );
      expect(error).toBeInstanceOf(checker.ConfigError);
      expect(error).toBeInstanceOf(checker.AuthentikEventsError);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(checker.DeliveryError);
      expect(error).not.toBeInstanceOf(checker.CallbackError);
      expect((error as esm.ConfigError).code).toBe('ERR_AUTHENTIK_EVENTS_CONFIG');
      expect((error as esm.ConfigError).option).toBe('url');
    },
  );

  it('every class is recognised by the other copy, and only as itself', () => {
    const made = {
      DeliveryError: new cjs.DeliveryError('rejected', 'x'),
      CallbackError: new cjs.CallbackError('user', 'x'),
      DegradedError: new cjs.DegradedError('ERR_X', 'x'),
      ConfigError: new cjs.ConfigError('url', 'x'),
    };
    const classes = {
      DeliveryError: esm.DeliveryError,
      CallbackError: esm.CallbackError,
      DegradedError: esm.DegradedError,
      ConfigError: esm.ConfigError,
    };
    for (const [name, error] of Object.entries(made)) {
      expect(error).toBeInstanceOf(esm.AuthentikEventsError);
      for (const [other, errorClass] of Object.entries(classes)) {
        expect(error instanceof errorClass, `${name} instanceof ${other}`).toBe(name === other);
      }
    }
  });

  it('look-alikes and hostile values are not errors of ours, and instanceof never throws', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const value of [
      new Error('x'),
      { code: 'ERR_AUTHENTIK_EVENTS_CONFIG' },
      null,
      42,
      proxy,
    ]) {
      expect(value instanceof esm.AuthentikEventsError).toBe(false);
      expect(value instanceof esm.ConfigError).toBe(false);
    }
  });

  it('a subclass of an app still works with instanceof', () => {
    class AppConfigError extends esm.ConfigError {}
    const error = new AppConfigError('url', 'x');
    expect(error).toBeInstanceOf(AppConfigError);
    expect(error).toBeInstanceOf(cjs.ConfigError);
  });
});

describe("URL forms: a URL that already holds authentik's API path delivers instead of losing every event", () => {
  it.each(['/api/v3', '/api/v3/', '/api/v3/events/events/', '/if/admin/#/events/log'])(
    'base URL + %s',
    async (suffix) => {
      const fake = await startFakeAuthentik({ quiet: true });
      cleanups.push(() => fake.close());
      const client = esm.createEventClient({
        url: `${fake.url}${suffix}`,
        token: fake.token,
        app: 'url-forms',
        delivery: 'in-process',
      });
      cleanups.push(() => client.close({ timeoutMs: 1000 }));

      expect(client.emit({ action: 'custom_url_form' })).toBe(true);
      const report = await client.flush({ timeoutMs: 10_000 });
      expect(report).toMatchObject({ delivered: 1, pending: 0 });
      expect(client.stats().dropped.rejected).toBe(0);
      expect(fake.events).toHaveLength(1);
    },
  );
});

describe("timer overflow: a millisecond option beyond Node's timers is refused, not turned into 1 ms", () => {
  it.each([
    { requestTimeoutMs: 2 ** 31 },
    { flushIntervalMs: 2 ** 31 },
    { retry: { maxDelayMs: 2 ** 32 } },
  ])('%o', (option) => {
    const error = thrownBy(() =>
      esm.createEventClient({ url: 'https://auth.example.com', token: 't', app: 'a', ...option }),
    );
    expect(error).toBeInstanceOf(esm.ConfigError);
    expect((error as esm.ConfigError).message).toContain('2147483647');
  });
});
