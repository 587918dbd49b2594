import {
  type AdapterOptions,
  type CheckOptions,
  type CheckResult,
  createRecorder,
  type DeliveryReport,
  type EventClient,
  expressReader,
  finishWithResponse,
  type RequestEvents,
  type RequestScope,
} from '@authentik-events/core';
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** Record events with this request's IP, user, brand and facts filled in. */
    authentik: RequestEvents;
  }
}

export type AuthentikEventsOptions = AdapterOptions<Request>;

/** The middleware, with the error handler to mount after the routes and the client it uses. */
export interface AuthentikEventsMiddleware {
  (req: Request, res: Response, next: NextFunction): void;
  /** Mount after your routes: records thrown errors as `system_exception`, then passes them on. */
  errorHandler: ErrorRequestHandler;
  client: EventClient;
  /** Closes the client if this middleware created it (flushing what is queued). */
  close(options?: { timeoutMs?: number }): Promise<DeliveryReport | undefined>;
  /** Whether events will arrive (URL, TLS, token, permission); see `client.check()`. Never throws. */
  check(options?: CheckOptions): Promise<CheckResult>;
}

/**
 * Express middleware that records each request, thrown errors and 5xx responses, and the app's
 * own events (`req.authentik.emit`) as authentik events. Works with Express 4 and 5.
 *
 * @example
 * const events = authentikEvents({ url: process.env.AUTHENTIK_URL, token: process.env.AUTHENTIK_TOKEN, app: 'shop' });
 * app.use(events);
 * app.post('/login', (req, res) => { req.authentik.emit('login'); res.sendStatus(204); });
 * app.use(events.errorHandler);
 */
export function authentikEvents(options: AuthentikEventsOptions = {}): AuthentikEventsMiddleware {
  const recorder = createRecorder<Request>(options, expressReader, '@authentik-events/express');
  /** Requests this middleware has seen: mounted twice on their way (app and router, app and sub-app), it records them once. */
  const seen = new WeakSet<Request>();

  const middleware = function authentikEventsMiddleware(
    req: Request,
    res: Response,
    next: NextFunction,
  ): void {
    if (seen.has(req)) {
      next();
      return;
    }
    seen.add(req);
    const scope = recorder.start(req);
    req.authentik = scope;
    finishWithResponse(res, scope);
    next();
  } as AuthentikEventsMiddleware;

  middleware.errorHandler = function authentikEventsErrorHandler(error, req, _res, next) {
    (req.authentik as RequestScope<Request> | undefined)?.fail(error);
    next(error);
  };
  middleware.client = recorder.client;
  middleware.close = (closeOptions) => recorder.close(closeOptions);
  middleware.check = (checkOptions) => recorder.client.check(checkOptions);
  return middleware;
}

export type { RequestEvents } from '@authentik-events/core';
