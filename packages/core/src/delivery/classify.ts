import type { TransportResponse } from '../transport/transport.js';

/** What one attempt's answer means for the event. */
export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; status: number | undefined; retryAfterMs: number | undefined; message: string }
  | { kind: 'drop'; reason: 'rejected' | 'unauthorized'; status: number; message: string };

/**
 * Retried: a timeout, "too early" (RFC 8470 asks for a retry), a rate limit, and server errors,
 * which are a server's (or its proxy's) trouble, not the event's: Cloudflare's 520-527 and the
 * 5xx a proxy answers for a down upstream too. Not 501 and 505, which say the request can never
 * work there. A status that is no final HTTP answer (below 200, or 600 and above: a broken
 * proxy) is retried like a network failure.
 */
function isRetriedStatus(status: number): boolean {
  if (status === 408 || status === 425 || status === 429) return true;
  if (status >= 500 && status < 600) return status !== 501 && status !== 505;
  return status < 200 || status >= 600;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What to check for a status that drops the event, beyond the server's own words. */
function rejectionHint(status: number, location: string | undefined): string {
  if (REDIRECTS.has(status)) {
    const target = location ? ` to ${location.slice(0, 200)}` : '';
    return ` (a redirect${target}; redirects are not followed, so the token is never sent elsewhere: check the url option, e.g. https: rather than http:, or the host name)`;
  }
  if (status === 407) {
    return ' (a proxy between this app and authentik asks for credentials; the client sends none to proxies: let its requests through)';
  }
  if (status === 413) {
    return ' (the event is larger than a proxy in front of authentik accepts, e.g. nginx client_max_body_size: lower maxEventBytes or raise that limit)';
  }
  return '';
}
const MIN_RETRY_AFTER_MS = 1000;
const MAX_RETRY_AFTER_MS = 5 * 60 * 1000;

/** `Retry-After` in seconds or as an HTTP date, clamped to 1 s..5 min; `undefined` if absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  // Every HTTP-date form starts with the day name; V8's lenient Date.parse would read "-5" as a year.
  else if (!/^[a-z]{3}/i.test(text)) return undefined;
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, ms));
}

/** The server's words, shortened; authentik answers JSON, proxies answer HTML. */
function summariseBody(body: string): string {
  const text = body.trim();
  if (text.startsWith('<')) return '(HTML page)';
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

const UNAUTHORIZED_HINT =
  'check that the token is valid and not expired, that it is an API token (intent "api") rather than an app password, and that its user has the permission authentik_events.add_event';

/** Classifies a response: delivered, retry (network-ish and overload statuses) or drop. */
export function classifyResponse(response: TransportResponse): AttemptOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const said = summariseBody(response.body);
  if (isRetriedStatus(status)) {
    return {
      kind: 'retry',
      status,
      retryAfterMs: parseRetryAfter(response.retryAfter),
      message: `authentik answered ${status} ${said}`.trim(),
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'drop',
      reason: 'unauthorized',
      status,
      message: `authentik refused the token (${status} ${said}): ${UNAUTHORIZED_HINT}`,
    };
  }
  return {
    kind: 'drop',
    reason: 'rejected',
    status,
    message: `authentik rejected the event (${status} ${said})${rejectionHint(status, response.location)}`,
  };
}
