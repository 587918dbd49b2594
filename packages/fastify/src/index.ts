import {
  type AdapterOptions,
  createRecorder,
  type EventClient,
  type RequestEvents,
  type RequestScope,
} from '@authentik-events/core';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { fastifyReader } from './fastify-reader.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Record events with this request's IP, user, brand and facts filled in. */
    authentik: RequestEvents;
  }
  interface FastifyInstance {
    /** The client this plugin delivers with. */
    authentikEvents: EventClient;
  }
}

export type AuthentikEventsOptions = AdapterOptions<FastifyRequest>;
type Scope = RequestScope<FastifyRequest>;

const plugin: FastifyPluginCallback<AuthentikEventsOptions> = (fastify, options, done) => {
  const recorder = createRecorder(options, fastifyReader, '@authentik-events/fastify');

  fastify.decorate('authentikEvents', recorder.client);
  fastify.decorateRequest('authentik', null as unknown as RequestEvents);

  fastify.addHook('onRequest', function authentikOnRequest(request, _reply, next) {
    request.authentik = recorder.start(request);
    next();
  });
  fastify.addHook('onError', function authentikOnError(request, _reply, error, next) {
    (request.authentik as Scope | null)?.fail(error);
    next();
  });
  fastify.addHook('onResponse', function authentikOnResponse(request, reply, next) {
    (request.authentik as Scope | null)?.finish(reply.statusCode);
    next();
  });
  fastify.addHook('onRequestAbort', function authentikOnRequestAbort(request, next) {
    (request.authentik as Scope | null)?.finish(undefined, true);
    next();
  });
  // A client the plugin created is closed (and flushed) with the server; a shared one is not.
  fastify.addHook('onClose', async function authentikOnClose() {
    await recorder.close();
  });
  done();
};

/**
 * Fastify plugin that records each request, errors and 5xx responses, and the app's own events
 * (`request.authentik.emit`) as authentik events. Fastify 5 (and 4).
 *
 * @example
 * await app.register(authentikEvents, { url: process.env.AUTHENTIK_URL, token: process.env.AUTHENTIK_TOKEN, app: 'shop' });
 * app.post('/login', async (request) => { request.authentik.emit('login'); return { ok: true }; });
 */
export const authentikEvents = fp(plugin, {
  name: '@authentik-events/fastify',
  fastify: '4.x || 5.x',
});
export default authentikEvents;
export type { RequestEvents } from '@authentik-events/core';
