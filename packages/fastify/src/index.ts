import {
  type AdapterOptions,
  ConfigError,
  createRecorder,
  type EventClient,
  fastifyReader,
  type Recorder,
  type RequestEvents,
  type RequestScope,
} from '@authentik-events/core';
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

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

/** Where a request's scope is kept once made; a symbol, so it cannot clash with the app's names. */
const kScope = Symbol('authentikEventsScope');
type WithScope = FastifyRequest & { [kScope]: Scope | null };

const PACKAGE_NAME = '@authentik-events/fastify';
/** What Fastify's `register` itself takes, and leaves in the options it hands the plugin. */
const REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'];

/**
 * A setup error is handed to `done`, so that `await app.register(…)` rejects with it: thrown
 * instead, it would escape `register` and end the process (or, caught by an
 * uncaughtException handler, leave Fastify waiting until FST_ERR_PLUGIN_TIMEOUT).
 */
const plugin: FastifyPluginCallback<AuthentikEventsOptions> = (fastify, options, done) => {
  if (fastify.hasDecorator('authentikEvents')) {
    done(
      new ConfigError(
        'options',
        `of ${PACKAGE_NAME}: the plugin is registered twice on this instance (or on a parent), which would record every request twice; register it once`,
      ),
    );
    return;
  }
  let recorder: Recorder<FastifyRequest>;
  try {
    recorder = createRecorder<FastifyRequest>(
      options,
      fastifyReader,
      PACKAGE_NAME,
      REGISTER_OPTIONS,
    );
  } catch (error) {
    done(error as Error);
    return;
  }
  try {
    install(fastify, recorder, recorder.options.autoLog !== false);
  } catch (error) {
    // The client made for this registration would otherwise keep its timers (and worker).
    recorder.close({ timeoutMs: 0 }).catch(() => undefined);
    done(error as Error);
    return;
  }
  done();
};

function install(
  fastify: FastifyInstance,
  recorder: Recorder<FastifyRequest>,
  autoLog: boolean,
): void {
  // Without autoLog, made when first needed (by the route, or when the response is done), not
  // in an onRequest hook: each hook costs every request, and Fastify measures the duration.
  const scopeOf = (request: FastifyRequest): Scope => {
    const holder = request as WithScope;
    holder[kScope] ??= recorder.start(request);
    return holder[kScope];
  };

  fastify.decorate('authentikEvents', recorder.client);
  fastify.decorateRequest(kScope, null);
  fastify.decorateRequest('authentik', {
    getter(this: FastifyRequest) {
      return scopeOf(this);
    },
  });

  // Runs only when something failed: free for every other request.
  fastify.addHook('onError', function authentikOnError(request, _reply, error, next) {
    scopeOf(request).fail(error);
    next();
  });
  fastify.addHook('onResponse', function authentikOnResponse(request, reply, next) {
    scopeOf(request).finish(reply.statusCode, false, reply.elapsedTime);
    next();
  });
  // An aborted request only makes an event when every request does, and Fastify listens for
  // 'close' on every request once onRequestAbort exists: both hooks only with autoLog. The
  // scope is made at the start then, as an aborted request has no reply.elapsedTime to go by.
  if (autoLog) {
    fastify.addHook('onRequest', function authentikOnRequest(request, _reply, next) {
      scopeOf(request);
      next();
    });
    fastify.addHook('onRequestAbort', function authentikOnRequestAbort(request, next) {
      scopeOf(request).finish(undefined, true);
      next();
    });
  }
  // A client the plugin created is closed (and flushed) with the server; a shared one is not.
  fastify.addHook('onClose', async function authentikOnClose() {
    await recorder.close();
  });
}

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
