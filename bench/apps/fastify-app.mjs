import { authentikEvents } from '@authentik-events/fastify';
import Fastify from 'fastify';
import {
  announce,
  CLOSE_TIMEOUT_MS,
  onTerminate,
  pinoDestination,
  pluginOptions,
  usesPlugin,
  variant,
} from './app-kit.mjs';

// The alternative for Fastify is its built-in logger (pino), two lines per request.
const app = Fastify(variant === 'pino' ? { logger: { stream: pinoDestination() } } : {});
if (usesPlugin) await app.register(authentikEvents, pluginOptions());
if (variant === 'noop') {
  // At the root, as fastify-plugin would put them.
  app.decorateRequest('noop', null);
  app.addHook('onRequest', (_request, _reply, next) => next());
  app.addHook('onError', (_request, _reply, _error, next) => next());
  app.addHook('onResponse', (_request, _reply, next) => next());
  app.addHook('onRequestAbort', (_request, next) => next());
}
app.get('/', async () => 'hello world');

await app.listen({ port: 0, host: '127.0.0.1' });
announce(app.server.address().port);
onTerminate(async () => {
  const client = usesPlugin ? app.authentikEvents : undefined;
  // The plugin's onClose hook closes (and flushes) the client it created.
  let report;
  if (client) {
    app.server.closeAllConnections();
    report = await client.close({ timeoutMs: CLOSE_TIMEOUT_MS });
  }
  await app.close();
  return client ? { client, report } : undefined;
});
