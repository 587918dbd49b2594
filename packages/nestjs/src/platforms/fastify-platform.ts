import type { NestRecorder } from '../nest-recorder.js';

type Done = (error?: Error) => void;
interface ReplyLike {
  statusCode: number;
  elapsedTime?: number;
}

/** What the module uses of the Fastify instance under `@nestjs/platform-fastify`. */
export interface FastifyInstanceLike {
  addHook(name: string, hook: (...args: never[]) => void): unknown;
}

/**
 * Records every request on Fastify, with hooks at the root (so for every route and the
 * not-found handler), named for readable stack traces. Nest's middleware runs in an
 * `onRequest` hook of `@fastify/middie` added before these, so it runs before the scope is
 * entered; guards, interceptors, pipes and handlers run inside it.
 */
export function installOnFastify(fastify: FastifyInstanceLike, nest: NestRecorder): void {
  fastify.addHook('onRequest', function authentikOnRequest(request: object, _reply, done: Done) {
    nest.current.run(nest.start(request), done);
  });
  // Fastify reads the body between onRequest and preHandler, from stream events that do not
  // carry the scope along: it is entered again right before Nest's handler.
  fastify.addHook('preHandler', function authentikPreHandler(request: object, _reply, done: Done) {
    nest.current.run(nest.start(request), done);
  });
  // What Fastify itself fails on, outside Nest's handler (a body that is no JSON: a 400).
  fastify.addHook('onError', function authentikOnError(request: object, _reply, error, done: Done) {
    nest.start(request).fail(error);
    done();
  });
  fastify.addHook(
    'onResponse',
    function authentikOnResponse(request: object, reply: ReplyLike, done: Done) {
      nest.start(request).finish(reply.statusCode, false, reply.elapsedTime);
      done();
    },
  );
  fastify.addHook('onRequestAbort', function authentikOnRequestAbort(request: object, done: Done) {
    nest.start(request).finish(undefined, true);
    done();
  });
}
