import type { RequestReader } from '@authentik-events/core';
import type { FastifyRequest } from 'fastify';

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** How Fastify exposes what an event needs; `request.ip` and `request.hostname` follow `trustProxy`. */
export const fastifyReader: RequestReader<FastifyRequest> = {
  method: (request) => request.method,
  url: (request) => request.url,
  ip: (request) => request.ip,
  // Fastify 4's hostname keeps the port; 5's does not.
  host: (request) => request.hostname?.replace(/:\d+$/, ''),
  header: (request, name) => firstHeader(request.headers[name]),
  user: (request) => (request as { user?: unknown }).user,
  // Fastify does not expose its trustProxy setting; it is not needed, as Fastify's own id is used.
  trustsProxy: () => false,
  // Fastify makes its own id (honouring its requestIdHeader option, which is the app's choice).
  requestId: (request) => String(request.id),
};
