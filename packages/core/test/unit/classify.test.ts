import { describe, expect, it } from 'vitest';
import { classifyResponse, parseRetryAfter } from '../../src/delivery/classify.js';
import type { TransportResponse } from '../../src/transport/transport.js';

function response(status: number, body = '', retryAfter?: string): TransportResponse {
  return { status, body, retryAfter };
}

describe('classifyResponse', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(classifyResponse(response(status, '{"pk":"x"}'))).toEqual({ kind: 'delivered' });
  });

  it.each([408, 429, 500, 502, 503, 504])('%i is retried', (status) => {
    expect(classifyResponse(response(status, 'busy'))).toEqual({
      kind: 'retry',
      status,
      retryAfterMs: undefined,
      message: `authentik answered ${status} busy`,
    });
  });

  it('passes Retry-After through on a retried status', () => {
    const outcome = classifyResponse(response(503, '', '7'));
    expect(outcome).toEqual({
      kind: 'retry',
      status: 503,
      retryAfterMs: 7000,
      message: 'authentik answered 503',
    });
  });

  it('says "(HTML page)" rather than quoting an HTML body', () => {
    const outcome = classifyResponse(response(502, '<html><body>Bad gateway</body></html>'));
    expect(outcome).toMatchObject({ kind: 'retry', message: 'authentik answered 502 (HTML page)' });
  });

  it.each([400, 404, 415, 422])('%i is rejected with the server message', (status) => {
    const body = '{"action": ["\\"custom_foo\\" is not a valid choice."]}';
    expect(classifyResponse(response(status, body))).toEqual({
      kind: 'drop',
      reason: 'rejected',
      status,
      message: `authentik rejected the event (${status} ${body})`,
    });
  });

  it('shortens a long server message to 500 characters', () => {
    const outcome = classifyResponse(response(400, 'e'.repeat(2000)));
    expect(outcome).toEqual({
      kind: 'drop',
      reason: 'rejected',
      status: 400,
      message: `authentik rejected the event (400 ${'e'.repeat(500)}…)`,
    });
  });

  it('describes the 404 HTML page (missing trailing slash)', () => {
    expect(classifyResponse(response(404, '<!DOCTYPE html><html>Not Found</html>'))).toEqual({
      kind: 'drop',
      reason: 'rejected',
      status: 404,
      message: 'authentik rejected the event (404 (HTML page))',
    });
  });

  it.each([501, 505, 418, 409])('other status %i is rejected, not retried', (status) => {
    expect(classifyResponse(response(status, 'x'))).toMatchObject({
      kind: 'drop',
      reason: 'rejected',
      status,
    });
  });

  it.each([
    'Authentication credentials were not provided.',
    'Token invalid/expired',
    'You do not have permission to perform this action.',
  ])('403 %s is unauthorized with a hint of what to check', (detail) => {
    const body = JSON.stringify({ detail });
    const outcome = classifyResponse(response(403, body));
    expect(outcome).toMatchObject({ kind: 'drop', reason: 'unauthorized', status: 403 });
    const { message } = outcome as { message: string };
    expect(message).toContain(`403 ${body}`);
    expect(message).toContain('authentik_events.add_event');
    expect(message).toContain('API token');
    expect(message).toContain('expired');
    expect(message).toContain('app password');
  });

  it('treats 401 like 403', () => {
    expect(classifyResponse(response(401, ''))).toMatchObject({
      kind: 'drop',
      reason: 'unauthorized',
      status: 401,
    });
  });

  it.each([301, 302, 303, 307, 308])(
    '%i redirect is rejected with where it points and a hint about the url option',
    (status) => {
      const outcome = classifyResponse({
        ...response(status, ''),
        location: 'https://auth.example.com/api/v3/events/events/',
      });
      expect(outcome).toMatchObject({ kind: 'drop', reason: 'rejected', status });
      const { message } = outcome as { message: string };
      expect(message).toContain('a redirect to https://auth.example.com/api/v3/events/events/');
      expect(message).toContain('redirects are not followed');
      expect(message).toContain('check the url option');
    },
  );

  it.each([425, 507, 509, 520, 521, 522, 523, 524, 599, 600, 999, 199])(
    'hostile status classes: %i is a server trouble or no final answer, retried',
    (status) => {
      expect(classifyResponse(response(status, 'x'))).toMatchObject({ kind: 'retry', status });
    },
  );

  it.each([
    [304, ''],
    [399, ''],
    [407, 'asks for credentials'],
    [413, 'lower maxEventBytes'],
    [431, ''],
  ])(
    '%i is rejected (the request cannot succeed there), with a hint where one helps',
    (status, hint) => {
      const outcome = classifyResponse(response(status, 'x'));
      expect(outcome).toMatchObject({ kind: 'drop', reason: 'rejected', status });
      const { message } = outcome as { message: string };
      expect(message).toContain(hint);
      expect(message).not.toContain('redirect');
    },
  );
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it('is undefined without a header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it.each([
    ['1', 1000],
    ['7', 7000],
    [' 30 ', 30_000],
    ['120', 120_000],
    ['300', 300_000],
    ['1.5', 1500],
  ])('reads %j seconds as %i ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it('clamps to at least 1 s', () => {
    expect(parseRetryAfter('0', now)).toBe(1000);
    expect(parseRetryAfter('0.2', now)).toBe(1000);
  });

  it('clamps to at most 5 min', () => {
    expect(parseRetryAfter('301', now)).toBe(300_000);
    expect(parseRetryAfter('86400', now)).toBe(300_000);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:00:42 GMT', now)).toBe(42_000);
  });

  it('reads the obsolete HTTP date formats too', () => {
    expect(parseRetryAfter('Wednesday, 01-Jan-25 12:01:00 GMT', now)).toBe(60_000);
  });

  it('clamps an HTTP date in the past to 1 s', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now)).toBe(1000);
  });

  it('clamps an HTTP date far ahead to 5 min', () => {
    expect(parseRetryAfter('Thu, 02 Jan 2025 12:00:00 GMT', now)).toBe(300_000);
  });

  it('uses the real clock by default', () => {
    const inTwenty = new Date(Date.now() + 20_000).toUTCString();
    const ms = parseRetryAfter(inTwenty) as number;
    expect(ms).toBeGreaterThan(18_000);
    expect(ms).toBeLessThanOrEqual(20_000);
  });

  it.each([
    '',
    ' ',
    'soon',
    'abc',
    '5s',
    '1e3',
    '0x10',
    '-5',
    '-1',
    '+5',
    '12abc',
    'NaN',
    'Infinity',
  ])('is undefined for garbage %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});
