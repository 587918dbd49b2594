import { isIP } from 'node:net';
import { ConfigError } from './errors.js';
import { from, type Sourced } from './resolve-credentials.js';

const EVENTS_PATH = 'api/v3/events/events/';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Where authentik's own paths start in a URL copied from somewhere else: its API
 * (`/api/v3/…`, the events endpoint itself), its interfaces (`/if/admin/…`, `/if/user/…`,
 * `/if/flow/…`) and an OAuth2 provider's issuer (`/application/o/<slug>/`). Everything before
 * is the base authentik is served under (`/`, or a sub-path such as `/authentik/`).
 */
function authentikPathStart(segments: readonly string[]): number {
  return segments.findIndex((segment, index) => {
    const next = segments[index + 1];
    if (segment === 'api') return next === undefined || next === 'v3';
    if (segment === 'if') return next === 'admin' || next === 'user' || next === 'flow';
    if (segment === 'application') return next === 'o' || next === 'saml';
    return false;
  });
}

/** The base path authentik is served under, with its trailing slash. */
function basePath(pathname: string): string {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  const start = authentikPathStart(segments);
  const kept = start === -1 ? segments : segments.slice(0, start);
  return kept.length === 0 ? '/' : `/${kept.join('/')}/`;
}

/**
 * authentik's base URL and the create endpoint under it. A URL that already holds one of
 * authentik's own paths (`…/api/v3/`, the endpoint itself, `…/if/admin/`) is cut back to the
 * base it is served under, so that the endpoint is not doubled into a 404; a query or fragment
 * is dropped (the API takes none).
 */
export function resolveUrl(
  url: Sourced,
  allowInsecureHttp: boolean,
  token: unknown,
): { baseUrl: URL; endpoint: URL } {
  // A URL object is taken as what it says.
  const raw = url.value instanceof URL ? url.value.href : url.value;
  if (raw === undefined || raw === '') {
    throw new ConfigError(
      'url',
      `is ${raw === '' ? 'empty' : 'missing'}${from(url.source)}: pass authentik's base URL (e.g. https://auth.example.com) or set AUTHENTIK_URL`,
    );
  }
  if (typeof raw !== 'string') throw new ConfigError('url', `must be a string, got ${typeof raw}`);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // Never echo the token, even when it landed in the url option (or AUTHENTIK_URL) by mistake,
    // also when url and token were swapped: a value without any of . : / is no host name, and
    // may well be a token (authentik's are letters and digits).
    const secret = typeof token === 'string' ? token.trim() : '';
    const mayBeToken = (secret !== '' && raw.includes(secret)) || !/[.:/]/.test(raw);
    const shown = mayBeToken ? '' : ` "${raw.slice(0, 200)}"`;
    throw new ConfigError(
      'url',
      `is not a URL${from(url.source)}:${shown} (expected e.g. https://auth.example.com)`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    // `auth.example.com:9000` parses as the scheme "auth.example.com:".
    const hint = raw.includes('//') ? '' : ' (the scheme is missing: write https://<host>)';
    throw new ConfigError(
      'url',
      `must be http: or https:${from(url.source)}, got "${parsed.protocol.slice(0, 60)}"${hint}`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new ConfigError('url', 'must not contain credentials: pass the API token as "token"');
  }
  if (parsed.protocol === 'http:' && !allowInsecureHttp && !isLoopback(parsed.hostname)) {
    throw new ConfigError(
      'url',
      `is plain http: to "${parsed.hostname}", which would send the token in clear; use https:, or set allowInsecureHttp: true if the network is trusted`,
    );
  }
  const baseUrl = new URL(basePath(parsed.pathname), parsed.origin);
  // authentik answers 404 without the trailing slash, so the path is built here, once.
  return { baseUrl, endpoint: new URL(EVENTS_PATH, baseUrl) };
}
