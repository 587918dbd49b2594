import type { IncomingHttpHeaders } from 'node:http';
import { lastNestEvents } from './nest-app.js';

/**
 * A header of the request a callback is handed, whatever the framework: Express's `req`,
 * Koa's `ctx`, Fastify's and Nest's request expose Node's `headers`; Hono's context has
 * `c.req.header(name)`.
 */
export function requestHeader(request: unknown, name: string): string | undefined {
  const hono = (request as { req?: { header?(name: string): string | undefined } }).req;
  if (typeof hono?.header === 'function') return hono.header(name);
  const value = (request as { headers: IncomingHttpHeaders }).headers[name];
  return Array.isArray(value) ? value[0] : value;
}

type Emitter = { emit(action: string): boolean };

/**
 * Emits from inside an adapter callback the way each framework's app code would: through the
 * request's `authentik` (Express, Koa, Fastify), `c.get('authentik')` (Hono), or Nest's
 * AuthentikEvents service. `undefined` when the request has no events API yet.
 */
export function emitFromCallback(request: unknown, action: string): boolean | undefined {
  const own = (request as { authentik?: Emitter }).authentik;
  if (own) return own.emit(action);
  const hono = request as { req?: { header?: unknown }; get(key: string): Emitter | undefined };
  if (typeof hono.req?.header === 'function') return hono.get('authentik')?.emit(action);
  return lastNestEvents.service?.emit(action as 'custom_from_callback');
}
