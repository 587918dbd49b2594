import { authentikEvents } from '@authentik-events/koa';
import Koa from 'koa';
import koaPinoLogger from 'koa-pino-logger';
import {
  announce,
  CLOSE_TIMEOUT_MS,
  onTerminate,
  pinoDestination,
  pluginOptions,
  usesPlugin,
  variant,
} from './app-kit.mjs';

const app = new Koa();
const events = usesPlugin ? authentikEvents(pluginOptions()) : undefined;
if (events) app.use(events);
if (variant === 'pino') app.use(koaPinoLogger({}, pinoDestination()));
if (variant === 'noop') {
  app.use(async function noop(ctx, next) {
    const { res } = ctx;
    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
    };
    res.on('finish', done);
    res.on('close', done);
    await next();
  });
}
app.use((ctx) => {
  if (ctx.path === '/') ctx.body = 'hello world';
});

const server = app.listen(0, '127.0.0.1', () => announce(server.address().port));
onTerminate(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  if (!events) return undefined;
  const report = await events.close({ timeoutMs: CLOSE_TIMEOUT_MS });
  return { client: events.client, report };
});
