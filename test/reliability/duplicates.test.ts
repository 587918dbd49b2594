import type { IncomingMessage, ServerResponse } from 'node:http';
import { createEventClient, type EventClient } from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { copiesById, identityHolds, waitUntil } from './support/accounting.js';
import { answer, type RawServer, startRawServer } from './support/raw-server.js';

// Long enough that only the cases that mean to time out do, on a busy machine too.
const REQUEST_TIMEOUT_MS = 2000;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the proxy in front of the local authentik does with the event's first request. */
type FirstRequest =
  | 'forward'
  | 'forward, then answer 502'
  | 'forward, then answer 504'
  | 'forward, then answer after the client timed out'
  | 'forward, then cut the 201 off mid-body'
  | 'hold it without forwarding until the client timed out';

/**
 * A proxy (as nginx or a load balancer would be) in front of the local authentik. The first
 * request it gets is treated as `first` says; every later one is forwarded as it is.
 */
async function proxyInFront(fake: FakeAuthentik, first: FirstRequest): Promise<RawServer> {
  let seen = 0;
  const forward = async (req: IncomingMessage, body: string) => {
    const response = await fetch(`${fake.url}${req.url}`, {
      method: req.method,
      headers: {
        authorization: String(req.headers.authorization),
        'content-type': 'application/json',
      },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const proxy = await startRawServer(async (req, res: ServerResponse, request) => {
    const mode = seen++ === 0 ? first : 'forward';
    if (mode === 'hold it without forwarding until the client timed out') {
      setTimeout(() => res.destroy(), REQUEST_TIMEOUT_MS * 3);
      return;
    }
    const upstream = await forward(req, request.body);
    if (mode === 'forward') return answer(res, upstream.status, upstream.text);
    if (mode === 'forward, then answer 502') return answer(res, 502, '<html>Bad Gateway</html>');
    if (mode === 'forward, then answer 504')
      return answer(res, 504, '<html>Gateway Timeout</html>');
    if (mode === 'forward, then cut the 201 off mid-body') {
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.write(upstream.text.slice(0, 10));
      setTimeout(() => res.destroy(), 50);
      return;
    }
    // The client gave up on this request long before; the answer finds nobody.
    setTimeout(() => res.destroy(), REQUEST_TIMEOUT_MS * 3);
  });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function fakeAuthentik(): Promise<FakeAuthentik> {
  const fake = await startFakeAuthentik({ quiet: true });
  cleanups.push(() => fake.close());
  return fake;
}

function clientOf(url: string, token: string): EventClient {
  const client = createEventClient({
    url,
    token,
    app: 'duplicates',
    flushIntervalMs: 10,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    retry: { retries: 3, minDelayMs: 10, maxDelayMs: 50 },
    onError: () => {},
  });
  cleanups.push(() => client.close({ timeoutMs: 1000 }));
  return client;
}

interface Case {
  name: string;
  /** Stored twice: authentik stored the event, but no success reached the client. */
  duplicate: boolean;
  /** Requests sent again (`stats().retried`). */
  retried: number;
  setup(fake: FakeAuthentik): Promise<string>;
}

const CASES: Case[] = [
  {
    name: 'a connection reset after authentik read the body',
    duplicate: true,
    retried: 1,
    setup: async (fake) => {
      fake.faults.resetNext(1, { afterBody: true });
      return fake.url;
    },
  },
  {
    name: 'a timeout (requestTimeoutMs) after authentik stored the event',
    duplicate: true,
    retried: 1,
    setup: async (fake) =>
      (await proxyInFront(fake, 'forward, then answer after the client timed out')).url,
  },
  {
    name: 'a 502 from a proxy whose upstream stored the event',
    duplicate: true,
    retried: 1,
    setup: async (fake) => (await proxyInFront(fake, 'forward, then answer 502')).url,
  },
  {
    name: 'a 504 from a proxy whose upstream stored the event',
    duplicate: true,
    retried: 1,
    setup: async (fake) => (await proxyInFront(fake, 'forward, then answer 504')).url,
  },
  {
    name: 'a 503 from authentik (nothing stored)',
    duplicate: false,
    retried: 1,
    setup: async (fake) => {
      fake.faults.failNext(1, 503);
      return fake.url;
    },
  },
  {
    name: 'a connection reset before authentik read the body',
    duplicate: false,
    retried: 1,
    setup: async (fake) => {
      fake.faults.resetNext(1);
      return fake.url;
    },
  },
  {
    name: 'a timeout before the request reached authentik',
    duplicate: false,
    retried: 1,
    setup: async (fake) =>
      (await proxyInFront(fake, 'hold it without forwarding until the client timed out')).url,
  },
  {
    name: 'a 201 whose body was cut off (the status decides: delivered, not retried)',
    duplicate: false,
    retried: 0,
    setup: async (fake) => (await proxyInFront(fake, 'forward, then cut the 201 off mid-body')).url,
  },
];

describe('at-least-once: a retry stores an event twice exactly when authentik stored it but no success reached the client', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const fake = await fakeAuthentik();
    const client = clientOf(await testCase.setup(fake), fake.token);
    client.emit({ action: 'login', context: { which: 'the faulted one' } });
    const report = await client.flush({ timeoutMs: 20_000 });
    expect(report).toMatchObject({ delivered: 1, pending: 0, complete: true });
    await waitUntil(() => fake.events.length >= 1, 'the event is stored');

    const copies = copiesById(fake.events);
    // Every copy is the same event: one event_id, whatever the number of attempts.
    expect(copies.size).toBe(1);
    expect([...copies.values()]).toEqual([testCase.duplicate ? 2 : 1]);
    expect(client.stats().retried).toBe(testCase.retried);
    expect(identityHolds(client.stats())).toBe(true);
  });
});
