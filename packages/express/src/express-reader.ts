import type { RequestReader } from '@authentik-events/core';
import type { Request } from 'express';

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether the request's direct peer is a proxy the app trusts, decided as Express decides it
 * for `req.protocol` and `req.host` (express/lib/request.js): the compiled `trust proxy`
 * setting asked about the socket's address. `Boolean(app.get('trust proxy'))` would also say
 * yes for a client connecting directly when the setting names one proxy's address or subnet.
 */
function trustsPeer(req: Request): boolean {
  const trust: unknown = req.app?.get('trust proxy fn');
  return typeof trust === 'function' && Boolean(trust(req.socket?.remoteAddress, 0));
}

/** How Express exposes what an event needs; `req.ip` and `req.hostname` follow the app's `trust proxy`. */
export const expressReader: RequestReader<Request> = {
  method: (req) => req.method,
  url: (req) => req.originalUrl,
  ip: (req) => req.ip,
  host: (req) => req.hostname,
  header: (req, name) => firstHeader(req.headers[name]),
  user: (req) => (req as { user?: unknown }).user,
  trustsProxy: trustsPeer,
};
