import type { ServerResponse } from 'node:http';

/**
 * Ends a request's scope with Node's response, for adapters built on `ServerResponse` (Express,
 * Koa). pino-http's lifecycle: the first of `finish`/`close` ends it, and `close` without
 * `finish` is an abort. Before the headers went out, `statusCode` is only the framework's
 * default (200 in Express, 404 in Koa), not an answer, so it is not reported.
 */
export function finishWithResponse(
  res: ServerResponse,
  scope: { finish(status: number | undefined, aborted: boolean): void },
): void {
  const done = () => {
    res.removeListener('finish', done);
    res.removeListener('close', done);
    scope.finish(res.headersSent ? res.statusCode : undefined, !res.writableFinished);
  };
  res.on('finish', done);
  res.on('close', done);
}
