import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type CheckResult,
  type ClientOptions,
  createEventClient,
  type EventClient,
} from '@authentik-events/core';
import {
  type FakeAuthentik,
  type FakeAuthentikOptions,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterEach } from 'vitest';
import {
  answer,
  type RawServer,
  type RawServerOptions,
  startRawServer,
} from '../reliability/support/raw-server.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export const APP = 'check-test';

/** A client that is closed after the test (check() needs no flush: it sends through its own requests). */
export function clientOf(url: string, token: string, options: ClientOptions = {}): EventClient {
  const client = createEventClient({ url, token, app: APP, onError: () => {}, ...options });
  cleanups.push(() => client.close({ timeoutMs: 200 }));
  return client;
}

export async function startFake(options: FakeAuthentikOptions = {}): Promise<FakeAuthentik> {
  const fake = await startFakeAuthentik({ quiet: true, ...options });
  cleanups.push(() => fake.close());
  return fake;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export async function rawServer(
  handler: Handler,
  options: RawServerOptions = {},
): Promise<RawServer> {
  const server = await startRawServer(
    (req, res, request) => handler(req, res, request.body),
    options,
  );
  cleanups.push(() => server.close());
  return server;
}

/** What authentik answers to the check's three requests, each replaceable. */
export function authentikLike(
  overrides: Partial<
    Record<'me' | 'version' | 'probe' | 'create', (res: ServerResponse) => void>
  > = {},
): Handler {
  return (req, res, body) => {
    const path = req.url ?? '';
    if (path.endsWith('/core/users/me/'))
      return (
        overrides.me ?? ((r) => answer(r, 200, '{"user": {"pk": 5, "username": "svc-events"}}'))
      )(res);
    if (path.endsWith('/admin/version/'))
      return (overrides.version ?? ((r) => answer(r, 200, '{"version_current": "2025.12.3"}')))(
        res,
      );
    if (req.method === 'POST' && path.endsWith('/events/events/')) {
      // The check's probe is an empty object; anything else is the test event.
      if (body === '{}')
        return (
          overrides.probe ?? ((r) => answer(r, 400, '{"action": ["This field is required."]}'))
        )(res);
      return (overrides.create ?? ((r) => answer(r, 201, '{"pk": "0"}')))(res);
    }
    answer(res, 404, '<html>not found</html>', { 'content-type': 'text/html' });
  };
}

/** The names of the parts that are not `ok`, with their status. */
export function notOk(result: CheckResult): Record<string, string> {
  return Object.fromEntries(Object.entries(result.checks).filter(([, status]) => status !== 'ok'));
}
