import {
  type AuthentikEventsError,
  type ClientOptions,
  ConfigError,
  createEventClient,
  DegradedError,
  type DeliveryMode,
  type EventClient,
} from '@authentik-events/core';
import { afterEach, describe, expect, it } from 'vitest';
import { runModule } from '../integration/worker-delivery-support/run-child.js';
import { identityHolds, waitUntil } from './support/accounting.js';
import { closedPort } from './support/closed-port.js';
import { answer, type RawServer, startRawServer, tlsFixture } from './support/raw-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An authentik stand-in that stores every event (201) and answers the brands read. */
async function authentikAt(options: { tls?: string; port?: number } = {}): Promise<RawServer> {
  const server = await startRawServer((req, res) => {
    if (req.method === 'GET') return answer(res, 200, '{"pagination": {}, "results": []}');
    answer(res, 201, '{"pk": "00000000-0000-0000-0000-000000000000"}');
  }, options);
  cleanups.push(() => server.close());
  return server;
}

interface Observed {
  client: EventClient;
  errors: AuthentikEventsError[];
  codes: () => string[];
}

/**
 * A client with the default retry budget (8 retries, up to 10 minutes): a report that waited
 * for the retries to run out would come long after these tests end.
 */
function observe(url: string, options: ClientOptions = {}): Observed {
  const errors: AuthentikEventsError[] = [];
  const client = createEventClient({
    url,
    token: 'first-hour-token',
    app: 'first-hour',
    flushIntervalMs: 10,
    onError: (error) => errors.push(error),
    ...options,
  });
  cleanups.push(() => client.close({ timeoutMs: 500 }));
  return { client, errors, codes: () => errors.map((error) => error.code) };
}

async function reportedAtOnce(observed: Observed, code: string): Promise<DegradedError> {
  await waitUntil(() => observed.codes().includes(code), `${code} was reported`, 15_000);
  const error = observed.errors.find((e) => e.code === code) as DegradedError;
  expect(error).toBeInstanceOf(DegradedError);
  // Reported while the event is still held: nothing was given up on to say so.
  const stats = observed.client.stats();
  expect(stats.delivered + Object.values(stats.dropped).reduce((a, b) => a + b, 0)).toBe(0);
  expect(identityHolds(stats)).toBe(true);
  return error;
}

const MODES: DeliveryMode[] = ['worker', 'in-process'];

describe('first hour: an unreachable authentik is reported at once, with what to check', () => {
  it.each(MODES)('connection refused (delivery %s)', async (delivery) => {
    const port = await closedPort();
    const observed = observe(`http://127.0.0.1:${port}`, { delivery });
    observed.client.emit({ action: 'login' });
    const error = await reportedAtOnce(observed, 'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED');
    expect(error.message).toContain(`connection refused at http://127.0.0.1:${port}`);
    expect(error.message).toContain('is authentik running');
    expect((error.cause as Error).message).toContain('ECONNREFUSED');
  });

  it.each(MODES)('an unknown host name (delivery %s)', async (delivery) => {
    const observed = observe('https://authentik-events-test.invalid', { delivery });
    observed.client.emit({ action: 'login' });
    const error = await reportedAtOnce(observed, 'ERR_AUTHENTIK_EVENTS_UNKNOWN_HOST');
    expect(error.message).toContain('unknown host "authentik-events-test.invalid"');
    expect(error.message).toContain("check the url's host name");
  });

  it('https: to a port that speaks plain http (the TLS handshake fails)', async () => {
    const plain = await authentikAt();
    const observed = observe(plain.url.replace('http:', 'https:'));
    observed.client.emit({ action: 'login' });
    const error = await reportedAtOnce(observed, 'ERR_AUTHENTIK_EVENTS_TLS');
    expect(error.message).toContain('TLS handshake');
    expect(plain.requests).toEqual([]);
  });

  it('once per episode: many failures, one report; a delivery ends the episode', async () => {
    const first = await authentikAt();
    const { port } = first;
    const observed = observe(first.url, { retry: { minDelayMs: 10, maxDelayMs: 50 } });
    observed.client.emit({ action: 'login' });
    await observed.client.flush({ timeoutMs: 10_000 });
    await first.close();

    for (let i = 0; i < 5; i++) observed.client.emit({ action: 'login', context: { i } });
    await waitUntil(() => observed.client.stats().retried >= 10, 'ten failed retries');
    expect(observed.codes()).toEqual(['ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED']);

    // authentik is back (same port): everything held is delivered, and the episode ends.
    const again = await authentikAt({ port });
    await observed.client.flush({ timeoutMs: 20_000 });
    expect(observed.client.stats().delivered).toBe(6);
    await again.close();
    observed.client.emit({ action: 'login' });
    await waitUntil(
      () => observed.codes().length === 2,
      'the next refusal, a new episode, was reported',
    );
    expect(observed.codes()).toEqual([
      'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED',
      'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED',
    ]);
  });

  it('without onError, one process warning says the same', async () => {
    const port = await closedPort();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    cleanups.push(async () => process.off('warning', onWarning));
    const client = createEventClient({
      url: `http://127.0.0.1:${port}`,
      token: 'first-hour-token',
      app: 'first-hour',
      flushIntervalMs: 10,
    });
    cleanups.push(() => client.close({ timeoutMs: 500 }));
    client.emit({ action: 'login' });
    await waitUntil(
      () =>
        warnings.some(
          (w) => (w as { code?: string }).code === 'ERR_AUTHENTIK_EVENTS_CONNECTION_REFUSED',
        ),
      'the warning',
      15_000,
    );
  });
});

describe('first hour: a certificate that is not trusted is reported at once, and events are held, not dropped', () => {
  const certificates: Array<[string, string, ClientOptions, RegExp]> = [
    [
      'a self-signed certificate',
      'self-signed',
      {},
      /pass that CA's certificate as the ca option or set NODE_EXTRA_CA_CERTS/,
    ],
    ['a certificate of a private CA', 'server', {}, /pass that CA's certificate as the ca option/],
    [
      'a certificate for another name',
      'wrong-name',
      { ca: tlsFixture('ca.pem') },
      /is not issued for "127.0.0.1"/,
    ],
    [
      'an expired certificate',
      'expired',
      { ca: tlsFixture('ca.pem') },
      /is expired or not yet valid/,
    ],
  ];

  it.each(certificates)('%s', async (_name, certificate, options, hint) => {
    const server = await authentikAt({ tls: certificate });
    // A budget that a failure counted as the event's own would use up in milliseconds.
    const observed = observe(server.url, {
      ...options,
      retry: { retries: 1, minDelayMs: 10, maxDelayMs: 50 },
    });
    observed.client.emit({ action: 'login' });
    const error = await reportedAtOnce(observed, 'ERR_AUTHENTIK_EVENTS_CERTIFICATE');
    expect(error.message).toMatch(hint);
    // Held behind the circuit: probes go on (more than the one retry the event has), the event
    // is not given up on, and nothing reached the server's request handler.
    await waitUntil(() => observed.client.stats().retried >= 3, 'three probes');
    const stats = observed.client.stats();
    expect(stats.dropped.retries_exhausted).toBe(0);
    expect(stats.queued + stats.inFlight).toBe(1);
    expect(observed.codes()).toEqual(['ERR_AUTHENTIK_EVENTS_CERTIFICATE']);
    expect(server.requests).toEqual([]);
    const report = await observed.client.close({ timeoutMs: 100 });
    expect(report.dropped.closed).toBe(1);
  });
});

describe('first hour: the ca option trusts a private CA or a self-signed certificate, never less', () => {
  it.each(MODES)('events and lookups through a private CA (delivery %s)', async (delivery) => {
    const server = await authentikAt({ tls: 'server' });
    const observed = observe(server.url, { delivery, ca: tlsFixture('ca.pem') });
    for (let i = 0; i < 3; i++) observed.client.emit({ action: 'login', context: { i } });
    const report = await observed.client.flush({ timeoutMs: 10_000 });
    expect(report).toMatchObject({ delivered: 3, complete: true });
    await expect(observed.client.api.get('api/v3/core/brands/')).resolves.toMatchObject({
      results: [],
    });
    expect(observed.errors).toEqual([]);
  });

  it('a self-signed certificate given as a Buffer, in an array', async () => {
    const server = await authentikAt({ tls: 'self-signed' });
    const observed = observe(server.url, {
      ca: [Buffer.from(tlsFixture('self-signed.pem')), tlsFixture('ca.pem')],
    });
    observed.client.emit({ action: 'login' });
    expect(await observed.client.flush({ timeoutMs: 10_000 })).toMatchObject({ delivered: 1 });
  });

  it('the lookups refuse an untrusted certificate without ca', async () => {
    const server = await authentikAt({ tls: 'server' });
    const observed = observe(server.url);
    await expect(observed.client.api.get('api/v3/core/brands/')).rejects.toThrow();
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['not a certificate', 'hello'],
    ['a private key', tlsFixture('server-key.pem')],
    ['a number', 42],
    ['a broken certificate', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'],
  ])('%s is a ConfigError naming ca', (_name, ca) => {
    expect(() =>
      createEventClient({
        url: 'https://auth.example.com',
        token: 't',
        app: 'a',
        ca: ca as string,
      }),
    ).toThrow(ConfigError);
    try {
      createEventClient({
        url: 'https://auth.example.com',
        token: 't',
        app: 'a',
        ca: ca as string,
      });
    } catch (error) {
      expect((error as ConfigError).option).toBe('ca');
    }
  });

  it('NODE_EXTRA_CA_CERTS works, also beside a ca option (the defaults are kept)', async () => {
    const server = await authentikAt({ tls: 'server' });
    const caFile = new URL('../security/fixtures/tls/ca.pem', import.meta.url).pathname;
    const source = `
      import { createEventClient } from '@authentik-events/core';
      import { readFileSync } from 'node:fs';
      const results = [];
      for (const ca of [undefined, readFileSync(${JSON.stringify(new URL('../security/fixtures/tls/self-signed.pem', import.meta.url).pathname)})]) {
        const client = createEventClient({ url: ${JSON.stringify(server.url)}, token: 't-extra', app: 'extra', ca, flushIntervalMs: 10, onError: (e) => results.push(e.code) });
        client.emit({ action: 'login' });
        const report = await client.close({ timeoutMs: 5000 });
        results.push(report.delivered);
      }
      console.log(JSON.stringify(results));
    `;
    const child = await runModule(source, { NODE_EXTRA_CA_CERTS: caFile });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([1, 1]);
  });
});

describe('accounting: the give-up message states the retries stats().retried counts', () => {
  async function giveUp(options: ClientOptions, retryAfterFirst: boolean) {
    let answered = 0;
    const server = await startRawServer((_req, res) => {
      const pause = retryAfterFirst && answered++ === 0 ? { 'retry-after': '1' } : {};
      answer(res, 503, '{"detail": "busy"}', pause);
    });
    cleanups.push(() => server.close());
    const observed = observe(server.url, options);
    observed.client.emit({ action: 'login' });
    const report = await observed.client.flush({ timeoutMs: 20_000 });
    expect(report.dropped.retries_exhausted).toBe(1);
    const gaveUp = observed.errors.find((e) => e.code === 'ERR_AUTHENTIK_EVENTS_RETRIES_EXHAUSTED');
    const message = gaveUp?.message ?? '';
    const { retried } = observed.client.stats();
    // The message's count is the stat's, and each is a request the server got.
    expect(Number(/^gave up after (\d+) retr/.exec(message)?.[1])).toBe(retried);
    expect(server.requests).toHaveLength(1 + retried);
    return { message, retried };
  }

  it('a Retry-After pause is a retry made but not counted against retry.retries', async () => {
    const { message, retried } = await giveUp(
      { retry: { retries: 3, minDelayMs: 10, maxDelayMs: 20 } },
      true,
    );
    expect(retried).toBe(4);
    expect(message).toMatch(
      /^gave up after 4 retries \(1 of them not counted against retry\.retries.*\), retry\.retries \(3\) used up: authentik answered 503/,
    );
  });

  it('at the time limit it says so (circuit probes made on the way included)', async () => {
    const { message } = await giveUp(
      {
        delivery: 'in-process',
        retry: { retries: 100, minDelayMs: 10, maxDelayMs: 50, maxRetryTimeMs: 2000 },
      },
      false,
    );
    expect(message).toContain('retry.maxRetryTimeMs (2000 ms) reached');
  });
});
