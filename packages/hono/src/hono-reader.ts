import { forwardedAddress, type RequestReader, type TrustProxyFn } from '@authentik-events/core';
import type { Context } from 'hono';
import { peerAddressOf } from './node-bindings.js';

/** Where the path starts in an absolute URL (`c.req.url`), found without parsing all of it. */
function pathStart(url: string): { authority: number; path: number } {
  const scheme = url.indexOf('://');
  const authority = scheme === -1 ? 0 : scheme + 3;
  const path = url.indexOf('/', authority);
  return { authority, path: path === -1 ? url.length : path };
}

function pathAndQuery(url: string): string {
  const { path } = pathStart(url);
  return path === url.length ? '/' : url.slice(path);
}

/** The URL's host (and port): what a request without a Host header (`app.request()`) goes by. */
function urlHost(url: string): string {
  const { authority, path } = pathStart(url);
  return url.slice(authority, path);
}

/** A Host value without its port, as Express takes it (`[::1]:80` keeps its brackets). */
function withoutPort(host: string): string {
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : 0;
  const colon = host.indexOf(':', end);
  return colon === -1 ? host : host.slice(0, colon);
}

function trustsPeer(c: Context, trust: TrustProxyFn): boolean {
  const peer = peerAddressOf(c);
  if (peer === undefined) return false;
  try {
    return trust(peer, 0) === true;
  } catch {
    // An app's trust function that throws trusts nobody.
    return false;
  }
}

/**
 * How Hono exposes what an event needs. Hono has no trust-proxy setting, so the adapter's
 * `trustProxy` option decides, with Express's rules, whether `X-Forwarded-For` and
 * `X-Forwarded-Host` count: by default they do not, and the client IP is the socket's peer
 * (`getConnInfo`).
 */
export function honoReader(trust: TrustProxyFn): RequestReader<Context> {
  return {
    method: (c) => c.req.method,
    url: (c) => pathAndQuery(c.req.url),
    ip: (c) => forwardedAddress(peerAddressOf(c), c.req.header('x-forwarded-for'), trust),
    host: (c) => {
      const forwarded = trustsPeer(c, trust) ? c.req.header('x-forwarded-host') : undefined;
      const host =
        forwarded?.split(',', 1)[0]?.trim() || c.req.header('host') || urlHost(c.req.url);
      return host ? withoutPort(host) : undefined;
    },
    header: (c, name) => c.req.header(name),
    // Where auth middleware conventionally leave the user (`c.set('user', …)`), else the
    // claims hono/jwt verified (`jwtPayload`: `sub`, `preferred_username`, `email`).
    user: (c) => c.get('user') ?? c.get('jwtPayload'),
    trustsProxy: (c) => trustsPeer(c, trust),
  };
}
