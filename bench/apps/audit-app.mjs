// The app of bench/priorities.mjs: a hello world in Express 5, Koa 3 or Fastify 5 with the
// plugin (autoLog on, defaults otherwise) whose route also emits an audit event (a failed
// login) on every `auditEvery`-th request. With `mark` = `request_log` (the control) those
// events are marked as request logs, as if there were one class of event only.
//   node audit-app.mjs autolog <fake url> <fake token> <express|koa|fastify> <auditEvery> <audit|request_log> [maxQueueSize]
// Protocol as in app-kit.mjs: READY <port>; on SIGTERM close with CLOSE_TIMEOUT_MS, then a line
// `AUDIT <n>` (the emits the route made) and RESULT with the client's stats.
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as fastifyEvents } from '@authentik-events/fastify';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { announce, CLOSE_TIMEOUT_MS, onTerminate, pluginOptions } from './app-kit.mjs';

const [framework, auditEveryText, mark, maxQueueSizeText] = process.argv.slice(5);
const auditEvery = Number(auditEveryText);
/** 0: the plugin's default. */
const maxQueueSize = Number(maxQueueSizeText ?? 0);
if (!(auditEvery >= 1)) throw new Error(`auditEvery must be a number >= 1, got ${auditEveryText}`);
if (mark !== 'audit' && mark !== 'request_log') throw new Error(`unknown mark ${mark}`);

/** The plugin's options, with `maxQueueSize` when one is given (a smaller queue fills sooner). */
function options() {
  return maxQueueSize > 0 ? { ...pluginOptions(), maxQueueSize } : pluginOptions();
}

let served = 0;
let auditEmits = 0;
/** Every auditEvery-th request: the failed login an app would record itself. */
function maybeAudit(client, ip) {
  if (++served % auditEvery !== 0) return;
  auditEmits++;
  client.emit({
    action: 'login_failed',
    eventClass: mark,
    clientIp: ip,
    context: { username: `user${served}`, bench_audit: auditEmits },
  });
}

async function start() {
  if (framework === 'express') {
    const app = express();
    const events = expressEvents(options());
    app.use(events);
    app.get('/', (req, res) => {
      maybeAudit(events.client, req.ip);
      res.send('hello world');
    });
    const server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return { port: server.address().port, client: events.client, server };
  }
  if (framework === 'koa') {
    const app = new Koa();
    const events = koaEvents(options());
    app.use(events);
    app.use((ctx) => {
      if (ctx.path !== '/') return;
      maybeAudit(events.client, ctx.ip);
      ctx.body = 'hello world';
    });
    const server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    return { port: server.address().port, client: events.client, server };
  }
  if (framework === 'fastify') {
    const app = Fastify();
    await app.register(fastifyEvents, options());
    app.get('/', async (request) => {
      maybeAudit(app.authentikEvents, request.ip);
      return 'hello world';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: app.server.address().port, client: app.authentikEvents, server: app.server };
  }
  throw new Error(`unknown framework ${framework}`);
}

const { port, client, server } = await start();
announce(port);
onTerminate(async () => {
  server.closeAllConnections();
  server.close();
  const report = await client.close({ timeoutMs: CLOSE_TIMEOUT_MS });
  console.log(`AUDIT ${auditEmits}`);
  return { client, report };
});
