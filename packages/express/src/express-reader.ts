import type { RequestReader } from '@authentik-events/core';
import type { Request } from 'express';

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** How Express exposes what an event needs; `req.ip` and `req.hostname` follow the app's `trust proxy`. */
export const expressReader: RequestReader<Request> = {
  method: (req) => req.method,
  url: (req) => req.originalUrl,
  ip: (req) => req.ip,
  host: (req) => req.hostname,
  header: (req, name) => firstHeader(req.headers[name]),
  user: (req) => (req as { user?: unknown }).user,
  trustsProxy: (req) => Boolean(req.app.get('trust proxy')),
};
