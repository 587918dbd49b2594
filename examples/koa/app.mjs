import { authentikEvents } from '@authentik-events/koa';
import Router from '@koa/router';
import Koa from 'koa';
import { createAccounts } from './accounts.mjs';
import { readJson } from './read-json.mjs';

function urlOf(server) {
  const { address, port } = server.address();
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Outermost: turns a thrown error into a JSON response (after the adapter has recorded it). */
async function jsonErrors(ctx, next) {
  try {
    await next();
  } catch (error) {
    const status = Number.isInteger(error.status) && error.status >= 400 ? error.status : 500;
    ctx.status = status;
    ctx.body = { error: status < 500 && error.expose ? error.message : 'internal error' };
  }
}

/**
 * The example Koa app: sign-in, an account page, a route that fails, a health check.
 * Every option besides `app` (the events' app name) goes to the adapter: `url` and `token`
 * (default AUTHENTIK_URL / AUTHENTIK_TOKEN), and any other client option.
 *
 * @param {import('@authentik-events/koa').AuthentikEventsOptions} [options]
 * @example
 * const { listen, close } = createApp({ url: 'https://auth.example.com', token, app: 'shop' });
 * console.log(await listen(3000));
 * process.once('SIGTERM', () => close());
 */
export function createApp({ app: appName = 'example-koa', ...options } = {}) {
  const accounts = createAccounts();
  // 'lookup' names the brand authentik would pick for the request's host.
  const events = authentikEvents({
    app: appName,
    ignore: ['/health'],
    brand: 'lookup',
    ...options,
  });
  const app = new Koa();
  const router = new Router();

  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.post('/login', async (ctx) => {
    const body = await readJson(ctx);
    if (body === undefined) return;
    const { username, password } = body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      ctx.status = 400;
      ctx.body = { error: 'send JSON {"username": "...", "password": "..."}' };
      return;
    }
    const user = accounts.verify(username, password);
    if (!user) {
      ctx.authentik.emit('login_failed', { context: { username } });
      ctx.status = 401;
      ctx.body = { error: 'wrong username or password' };
      return;
    }
    // The adapter reads ctx.state.user, so both the login event and this request's event carry the user.
    ctx.state.user = user;
    ctx.authentik.emit('login', { context: { username } });
    ctx.body = { token: accounts.startSession(user) };
  });

  /** Sets ctx.state.user from the bearer token, or answers 401. */
  async function requireUser(ctx, next) {
    const user = accounts.userFor(ctx.get('authorization'));
    if (!user) {
      ctx.status = 401;
      ctx.body = { error: 'sign in first: POST /login, then send Authorization: Bearer <token>' };
      return;
    }
    ctx.state.user = user;
    await next();
  }

  router.get('/account', requireUser, (ctx) => {
    ctx.body = { username: ctx.state.user.username, email: ctx.state.user.email };
  });

  router.get('/boom', () => {
    throw new Error('boom: this route always fails');
  });

  app.use(jsonErrors);
  // Before the routes: records every request, and thrown errors (rethrown to jsonErrors).
  app.use(events);
  app.use(router.routes());
  app.use(router.allowedMethods());

  let server;
  return {
    app,
    /** The events client (stats(), flush()). */
    client: events.client,
    /** Listens and resolves with the base URL. */
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server = app.listen(port, host);
        server.once('listening', () => resolve(urlOf(server)));
        server.once('error', reject);
      });
    },
    /** Stops accepting requests, lets the open ones finish, then flushes and closes the events client. */
    async close(closeOptions) {
      if (server?.listening) await new Promise((resolve) => server.close(resolve));
      return events.close(closeOptions);
    },
  };
}
