import { authentikEvents } from '@authentik-events/hono';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { createAccounts } from './accounts.mjs';

/**
 * The example Hono app (on Node.js): sign-in, an account page, a route that fails, a health
 * check. Every option besides `app` (the events' app name) goes to the middleware: `url` and
 * `token` (default AUTHENTIK_URL / AUTHENTIK_TOKEN), and any other client option.
 *
 * @param {import('@authentik-events/hono').AuthentikEventsOptions} [options]
 * @example
 * const { listen, close } = createApp({ url: 'https://auth.example.com', token, app: 'shop' });
 * console.log(await listen(3000));
 * process.once('SIGTERM', () => close());
 */
export function createApp({ app: appName = 'example-hono', ...options } = {}) {
  const accounts = createAccounts();
  // 'lookup' names the brand authentik would pick for the request's host. Hono has no proxy
  // setting: behind a reverse proxy, pass trustProxy (its address) so the client IP is right.
  const events = authentikEvents({
    app: appName,
    ignore: ['/health'],
    brand: 'lookup',
    ...options,
  });
  const app = new Hono();
  app.use(events);

  app.get('/health', (c) => c.json({ status: 'ok' }));

  app.post('/login', async (c) => {
    const { username, password } = await c.req.json().catch(() => ({}));
    if (typeof username !== 'string' || typeof password !== 'string') {
      return c.json({ error: 'send JSON {"username": "...", "password": "..."}' }, 400);
    }
    const user = accounts.verify(username, password);
    if (!user) {
      c.get('authentik').emit('login_failed', { context: { username } });
      return c.json({ error: 'wrong username or password' }, 401);
    }
    // The middleware reads c.get('user'), so both the login event and this request's event carry the user.
    c.set('user', user);
    c.get('authentik').emit('login', { context: { username } });
    return c.json({ token: accounts.startSession(user) });
  });

  app.get('/account', (c) => {
    const user = accounts.userFor(c.req.header('authorization'));
    if (!user) {
      return c.json(
        { error: 'sign in first: POST /login, then send Authorization: Bearer <token>' },
        401,
      );
    }
    c.set('user', user);
    return c.json({ username: user.username, email: user.email });
  });

  app.get('/boom', () => {
    throw new Error('boom: this route always fails');
  });

  // Hono hands a thrown error to onError; the middleware records it once the answer is made.
  app.onError((_error, c) => c.json({ error: 'internal error' }, 500));

  const server = createAdaptorServer({ fetch: app.fetch });
  return {
    app,
    /** The events client (stats(), flush()). */
    client: events.client,
    /** Listens and resolves with the base URL. */
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.removeListener('error', reject);
          resolve(`http://${host}:${server.address().port}`);
        });
      });
    },
    /** Stops accepting requests, lets the open ones finish, then flushes and closes the events client. */
    async close(closeOptions) {
      await new Promise((resolve) => server.close(resolve));
      return events.close(closeOptions);
    },
  };
}
