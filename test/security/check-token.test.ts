import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CheckResult, createEventClient } from '@authentik-events/core';
import { afterEach, describe, expect, it } from 'vitest';
import { answer, startRawServer } from '../reliability/support/raw-server.js';
import { leaks, renderings } from './support/capture.js';
import { ECHOES, readings } from './support/echoes.js';

const TOKEN = `canary"TOKEN\\/+=&<x>${randomBytes(16).toString('hex')}`;
const MASK = '[token masked]';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Echoing = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function checkAgainst(handler: Echoing, sendTestEvent = false): Promise<CheckResult> {
  const server = await startRawServer((req, res, request) => handler(req, res, request.body));
  cleanups.push(() => server.close());
  const client = createEventClient({
    url: server.url,
    token: TOKEN,
    app: 'check-echo',
    onError() {},
  });
  cleanups.push(() => client.close({ timeoutMs: 100 }));
  const result = await client.check({ sendTestEvent });
  // The token was sent: the server had something to echo.
  expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  return result;
}

const bearer = (req: IncomingMessage) => String(req.headers.authorization);
const json = (value: unknown) => JSON.stringify(value);

/** authentik answering the check, with the token echoed where `where` says. */
function authentikEchoing(
  where: 'me' | 'version' | 'probe' | 'create',
  status: number,
  text: (req: IncomingMessage) => string,
): Echoing {
  return (req, res, body) => {
    const path = req.url ?? '';
    const step = path.endsWith('/users/me/')
      ? 'me'
      : path.endsWith('/version/')
        ? 'version'
        : body === '{}'
          ? 'probe'
          : 'create';
    if (step === where) return answer(res, status, text(req));
    if (step === 'me') return answer(res, 200, json({ user: { pk: 1, username: 'svc' } }));
    if (step === 'version') return answer(res, 200, json({ version_current: '2026.2.2' }));
    if (step === 'probe') return answer(res, 400, json({ action: ['This field is required.'] }));
    answer(res, 201, '{}');
  };
}

describe('hostile server: check() never hands out the token, whatever the server echoes', () => {
  it.each(ECHOES)('a 403 whose detail echoes it: %s', async (_name, echo) => {
    const result = await checkAgainst(
      authentikEchoing('me', 403, (req) => json({ detail: echo(req.headers) })),
    );
    expect(result.ok).toBe(false);
    expect(leaks(readings(renderings(result)), TOKEN)).toEqual([]);
  });

  it('in the detail of the permission probe and the first field error of the test event', async () => {
    for (const [where, status, text] of [
      ['probe', 403, (req: IncomingMessage) => json({ detail: `denied for ${bearer(req)}` })],
      ['create', 400, (req: IncomingMessage) => json({ action: [`not valid: ${bearer(req)}`] })],
    ] as const) {
      const result = await checkAgainst(authentikEchoing(where, status, text), true);
      expect(result.ok).toBe(false);
      expect(result.problems[0]?.message).toContain(MASK);
      expect(leaks(readings(renderings(result)), TOKEN)).toEqual([]);
    }
  });

  it('as the user, the pk, the version, or in a redirect', async () => {
    const results = [
      await checkAgainst(
        authentikEchoing('me', 200, (req) =>
          json({ user: { pk: bearer(req), username: bearer(req) } }),
        ),
      ),
      await checkAgainst((req, res, body) =>
        req.url?.endsWith('/version/')
          ? answer(res, 200, json({ version_current: TOKEN.replace(/[^\w]/g, '') }))
          : authentikEchoing('version', 0, () => '')(req, res, body),
      ),
      await checkAgainst((req, res) =>
        answer(res, 307, '', {
          location: `https://elsewhere.example/${encodeURIComponent(bearer(req))}/x?t=${bearer(req)}`,
        }),
      ),
    ];
    expect(results[0]?.tokenUser?.username).toContain(MASK);
    // The version only keeps what a version may hold, and the token's letters among them are masked.
    expect(results[1]?.authentikVersion).toContain(MASK);
    expect(JSON.stringify(results[1])).not.toContain(TOKEN.slice(-32, -16));
    expect(results[2]?.problems[0]?.code).toBe('ERR_AUTHENTIK_EVENTS_REDIRECT');
    for (const result of results) expect(leaks(readings(renderings(result)), TOKEN)).toEqual([]);
  });

  it('a version that is not a version is not repeated at all', async () => {
    const result = await checkAgainst((req, res, body) =>
      req.url?.endsWith('/version/')
        ? answer(res, 200, json({ version_current: `<script>${'x'.repeat(500)}` }))
        : authentikEchoing('version', 0, () => '')(req, res, body),
    );
    expect(result.ok).toBe(true);
    expect(result.authentikVersion).toBeUndefined();
  });
});
