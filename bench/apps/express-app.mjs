import { authentikEvents } from '@authentik-events/express';
import express from 'express';
import { pinoHttp } from 'pino-http';
import {
  announce,
  CLOSE_TIMEOUT_MS,
  nullLogger,
  onTerminate,
  pluginOptions,
  usesPlugin,
  variant,
} from './app-kit.mjs';

const app = express();
const events = usesPlugin ? authentikEvents(pluginOptions()) : undefined;
if (events) app.use(events);
if (variant === 'pino') app.use(pinoHttp({ logger: nullLogger() }));
if (variant === 'noop') {
  app.use(function noop(_req, res, next) {
    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  });
}
app.get('/', (_req, res) => {
  res.send('hello world');
});
if (events) app.use(events.errorHandler);

const server = app.listen(0, '127.0.0.1', () => announce(server.address().port));
onTerminate(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (!events) return undefined;
  const report = await events.close({ timeoutMs: CLOSE_TIMEOUT_MS });
  return { client: events.client, report };
});
