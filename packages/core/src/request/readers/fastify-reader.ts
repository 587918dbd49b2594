import type { IncomingHttpHeaders } from 'node:http';
import type { RequestReader } from '../adapter-options.js';
import { firstHeader } from './first-header.js';

/**
 * What the reader uses of a Fastify request (4 or 5), described here so that core needs no
 * Fastify types: the Fastify plugin and the NestJS module (on `@nestjs/platform-fastify`)
 * both hand it Fastify's own request.
 */
export interface FastifyLikeRequest {
  id: unknown;
  method: string;
  url: string;
  ip?: string | undefined;
  hostname?: string | undefined;
  headers: IncomingHttpHeaders;
  raw: { socket?: { remoteAddress?: string | undefined } | null | undefined };
  server?: { initialConfig?: { requestIdHeader?: unknown } } | undefined;
}

type IpsGetter = (this: unknown) => unknown;

/** Fastify's `request.ips` getter: defined only when the app set `trustProxy`. */
function ipsGetterOf(request: FastifyLikeRequest): IpsGetter | undefined {
  for (let proto = Object.getPrototypeOf(request); proto; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'ips');
    if (descriptor) return descriptor.get as IpsGetter | undefined;
  }
  return undefined;
}

/**
 * Whether the request's direct peer is a proxy the app trusts, by Fastify's own decision:
 * Fastify compiles `trustProxy` (true, a hop count, addresses, subnets, a function) into a
 * function it keeps to itself and asks it through `request.ips` (fastify/lib/request.js). Asked
 * about a stand-in request that comes from the peer's address with one forwarded address, it
 * lists two addresses exactly when it trusts that peer.
 */
function trustsPeer(request: FastifyLikeRequest): boolean {
  const ips = ipsGetterOf(request);
  if (!ips) return false;
  const standIn = {
    raw: {
      headers: { 'x-forwarded-for': '192.0.2.1' },
      socket: { remoteAddress: request.raw.socket?.remoteAddress },
    },
  };
  const listed = ips.call(standIn);
  return Array.isArray(listed) && listed.length > 1;
}

/**
 * The header Fastify takes its id from (`requestIdHeader`: off by default in Fastify 5,
 * `request-id` by default in Fastify 4), or `undefined`.
 */
function requestIdHeaderOf(request: FastifyLikeRequest): string | undefined {
  const header: unknown = request.server?.initialConfig?.requestIdHeader;
  return typeof header === 'string' && header !== '' ? header.toLowerCase() : undefined;
}

/** How Fastify exposes what an event needs; `request.ip` and `request.hostname` follow `trustProxy`. */
export const fastifyReader: RequestReader<FastifyLikeRequest> = {
  method: (request) => request.method,
  url: (request) => request.url,
  ip: (request) => request.ip,
  // Fastify 4's hostname keeps the port; 5's does not.
  host: (request) => request.hostname?.replace(/:\d+$/, ''),
  header: (request, name) => firstHeader(request.headers[name]),
  user: (request) => (request as { user?: unknown }).user,
  trustsProxy: trustsPeer,
  requestId: (request) => {
    // Fastify takes its id from that header of any client ("allows any callers to set reqId to
    // a value of their choosing", its docs say): it counts only from a proxy the app trusts.
    const header = requestIdHeaderOf(request);
    if (header !== undefined && request.headers[header] && !trustsPeer(request)) return undefined;
    return String(request.id);
  },
};
