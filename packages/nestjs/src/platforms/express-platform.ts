import type { IncomingMessage, ServerResponse } from 'node:http';
import { finishWithResponse } from '@authentik-events/core';
import type { NestRecorder } from '../nest-recorder.js';

type Next = (error?: unknown) => void;

/** What the module uses of the Express app under `@nestjs/platform-express`. */
export interface ExpressAppLike {
  use(handler: (...args: never[]) => void): unknown;
}

/**
 * Records every request on Express. Installed while Nest registers middleware, so it runs
 * before every route and every Nest middleware (and after what the app gave `app.use()`
 * before `init`, and Nest's body parsers).
 */
export function installOnExpress(app: ExpressAppLike, nest: NestRecorder): void {
  app.use(function authentikEventsMiddleware(
    req: IncomingMessage,
    res: ServerResponse,
    next: Next,
  ): void {
    if (nest.scopeOf(req)) {
      next();
      return;
    }
    const scope = nest.start(req);
    finishWithResponse(res, scope);
    // The rest of the request (Nest's middleware, guards, interceptors, pipes, the handler)
    // runs inside the scope, so `AuthentikEvents.emit` finds its request.
    nest.current.run(scope, next);
  });
  // An error raised before the middleware above (Nest's body parser refusing a body that is
  // no JSON, a middleware the app added with app.use()) skips it: the request is recorded
  // here, with the error, then goes on to Nest's error handling as before.
  app.use(function authentikEventsEarlyError(
    error: unknown,
    req: IncomingMessage,
    res: ServerResponse,
    next: Next,
  ): void {
    if (!nest.scopeOf(req)) {
      const scope = nest.start(req);
      finishWithResponse(res, scope);
      scope.fail(error);
    }
    next(error);
  });
}
