import type { IncomingHttpHeaders } from 'node:http';
import type { RequestReader } from '../adapter-options.js';
import { firstHeader } from './first-header.js';

/**
 * What the reader uses of an Express request (4 or 5), described here so that core needs no
 * Express types: the Express adapter and the NestJS module (on `@nestjs/platform-express`)
 * both hand it Express's own request.
 */
export interface ExpressLikeRequest {
  method: string;
  originalUrl: string;
  ip?: string | undefined;
  hostname?: string | undefined;
  headers: IncomingHttpHeaders;
  socket?: { remoteAddress?: string | undefined } | undefined;
  app?: { get(setting: string): unknown } | undefined;
}

/**
 * Whether the request's direct peer is a proxy the app trusts, decided as Express decides it
 * for `req.protocol` and `req.host` (express/lib/request.js): the compiled `trust proxy`
 * setting asked about the socket's address. `Boolean(app.get('trust proxy'))` would also say
 * yes for a client connecting directly when the setting names one proxy's address or subnet.
 */
function trustsPeer(req: ExpressLikeRequest): boolean {
  const trust: unknown = req.app?.get('trust proxy fn');
  return typeof trust === 'function' && Boolean(trust(req.socket?.remoteAddress, 0));
}

/** How Express exposes what an event needs; `req.ip` and `req.hostname` follow the app's `trust proxy`. */
export const expressReader: RequestReader<ExpressLikeRequest> = {
  method: (req) => req.method,
  url: (req) => req.originalUrl,
  ip: (req) => req.ip,
  host: (req) => req.hostname,
  header: (req, name) => firstHeader(req.headers[name]),
  user: (req) => (req as { user?: unknown }).user,
  trustsProxy: trustsPeer,
};
