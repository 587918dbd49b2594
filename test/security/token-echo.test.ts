import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  type AuthentikEventsError,
  type ClientOptions,
  createEventClient,
  DeliveryError,
  type DeliveryMode,
  type EventClient,
} from '@authentik-events/core';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../reliability/support/accounting.js';
import { answer, type RawServer, startRawServer } from '../reliability/support/raw-server.js';
import { leaks, renderings } from './support/capture.js';
import { ECHOES, readings } from './support/echoes.js';

/**
 * Random, recognisable, and with characters each encoding changes (`"`, `\`, `/`, `+`, `&`, `<`),
 * so that an echo in JSON, in a URL or in HTML differs from the raw token.
 */
const TOKEN = `canary"TOKEN\\/+=&<x>${randomBytes(16).toString('hex')}`;
const MASK = '[token masked]';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that answers every request `status`, echoing the headers the `echo` way. */
async function echoingServer(status: number, echo: (h: IncomingHttpHeaders) => string) {
  const server = await startRawServer((req, res) => answer(res, status, echo(req.headers)));
  cleanups.push(() => server.close());
  return server;
}

async function run(server: RawServer, options: ClientOptions, events = 2) {
  const texts: string[] = [];
  const errors: AuthentikEventsError[] = [];
  const client = createEventClient({
    url: server.url,
    token: TOKEN,
    app: 'token-echo',
    flushIntervalMs: 10,
    retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 },
    onError: (error) => {
      errors.push(error);
      texts.push(...renderings(error));
    },
    onDrop: (dropped, reason) => texts.push(...renderings(dropped), reason),
    ...options,
  });
  for (let i = 0; i < events; i++) client.emit({ action: 'login', context: { i } });
  const report = await client.close({ timeoutMs: 10_000 });
  texts.push(...renderings(report), ...renderings(client.stats()));
  return { texts, errors, client };
}

describe('hostile server: a token echoed back in the server words never leaves the client', () => {
  const cases = ECHOES.flatMap(([name, echo]) =>
    ([400, 403, 503] as const).map((status) => [`${status}, ${name}`, status, echo] as const),
  );

  it.each(cases)('%s', async (_name, status, echo) => {
    const server = await echoingServer(status, echo);
    const { texts, errors } = await run(server, { delivery: 'in-process' });
    // The token was sent, and the server did put it into its answer.
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // The echo reached the client's words, masked: there was something to leak.
    expect(errors.some((error) => error.message.includes(MASK))).toBe(true);
    expect(leaks(readings(texts), TOKEN)).toEqual([]);
  });

  it.each<DeliveryMode>(['worker', 'background'])(
    'through the delivery worker too (delivery %s)',
    async (delivery) => {
      for (const [, echo] of ECHOES) {
        const server = await echoingServer(400, echo);
        const { texts, errors } = await run(server, { delivery });
        expect(errors.some((error) => error.message.includes(MASK))).toBe(true);
        expect(leaks(readings(texts), TOKEN)).toEqual([]);
      }
    },
  );

  it('in the process warning, when there is no onError', async () => {
    const server = await echoingServer(400, ECHOES[0]?.[1] as (h: IncomingHttpHeaders) => string);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(...renderings(warning));
    process.on('warning', onWarning);
    cleanups.push(async () => process.off('warning', onWarning));
    const client = createEventClient({
      url: server.url,
      token: TOKEN,
      app: 'token-echo',
      flushIntervalMs: 10,
    });
    client.emit({ action: 'login' });
    await client.close({ timeoutMs: 5000 });
    await waitUntil(() => warnings.length > 0, 'the warning');
    expect(warnings.some((text) => text.includes(MASK))).toBe(true);
    expect(leaks(readings(warnings), TOKEN)).toEqual([]);
  });
});

describe('hostile server: any text that leaves the client is masked at the boundary, also text a future message adds', () => {
  function client(): { client: EventClient; texts: string[] } {
    const texts: string[] = [];
    const created = createEventClient({
      url: 'http://127.0.0.1:9',
      token: TOKEN,
      app: 'token-echo',
      onError: (error) => texts.push(...renderings(error)),
      onDrop: () => {
        throw new Error(`onDrop failed with ${TOKEN}`);
      },
    });
    cleanups.push(() => created.close({ timeoutMs: 100 }));
    return { client: created, texts };
  }

  it('an error an adapter reports (a lookup) and its cause chain', () => {
    const { client: c, texts } = client();
    const cause = new Error(`GET failed: Authorization: Bearer ${TOKEN}`);
    c.report(
      new DeliveryError('rejected', `lookup echoed ${encodeURIComponent(TOKEN)}`, { cause }),
    );
    expect(texts.some((text) => text.includes(MASK))).toBe(true);
    expect(leaks(readings(texts), TOKEN)).toEqual([]);
  });

  it('a hook that throws with the token in its message', () => {
    const { client: c, texts } = client();
    c.emit({ action: 'nope' as never });
    expect(texts.some((text) => text.includes(MASK))).toBe(true);
    expect(leaks(readings(texts), TOKEN)).toEqual([]);
  });
});
