import { authentikEvents } from '@authentik-events/fastify';
import Fastify from 'fastify';
import { createAccounts } from './accounts.mjs';

/**
 * The example Fastify app: sign-in, an account page, a route that fails, a health check.
 * Every option besides `app` (the events' app name) goes to the plugin: `url` and `token`
 * (default AUTHENTIK_URL / AUTHENTIK_TOKEN), and any other client option.
 *
 * @param {import('@authentik-events/fastify').AuthentikEventsOptions} [options]
 * @example
 * const { listen, close } = await createApp({ url: 'https://auth.example.com', token, app: 'shop' });
 * console.log(await listen(3000));
 * process.once('SIGTERM', () => close());
 */
export async function createApp({ app: appName = 'example-fastify', ...options } = {}) {
  const accounts = createAccounts();
  const app = Fastify();
  // 'lookup' names the brand authentik would pick for the request's host.
  await app.register(authentikEvents, {
    app: appName,
    ignore: ['/health'],
    brand: 'lookup',
    ...options,
  });
  app.decorateRequest('user', null);

  app.get('/health', async () => ({ status: 'ok' }));

  // The body is checked by hand: a schema failure would be a thrown (and recorded) error.
  app.post('/login', async (request, reply) => {
    const { username, password } = request.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      return reply.code(400).send({ error: 'send JSON {"username": "...", "password": "..."}' });
    }
    const user = accounts.verify(username, password);
    if (!user) {
      request.authentik.emit('login_failed', { context: { username } });
      return reply.code(401).send({ error: 'wrong username or password' });
    }
    // The plugin reads request.user, so both the login event and this request's event carry the user.
    request.user = user;
    request.authentik.emit('login', { context: { username } });
    return { token: accounts.startSession(user) };
  });

  /** Sets request.user from the bearer token, or answers 401. */
  async function requireUser(request, reply) {
    const user = accounts.userFor(request.headers.authorization);
    if (!user) {
      return reply
        .code(401)
        .send({ error: 'sign in first: POST /login, then send Authorization: Bearer <token>' });
    }
    request.user = user;
  }

  app.get('/account', { preHandler: requireUser }, async (request) => ({
    username: request.user.username,
    email: request.user.email,
  }));

  // Fastify's own error handler answers 500; the plugin's onError hook records the error first.
  app.get('/boom', async () => {
    throw new Error('boom: this route always fails');
  });

  return {
    app,
    /** The events client (stats(), flush()). */
    client: app.authentikEvents,
    /** Listens and resolves with the base URL. */
    listen(port = 0, host = '127.0.0.1') {
      return app.listen({ port, host });
    },
    /**
     * Stops accepting requests, lets the open ones finish, then flushes and closes the events
     * client (the plugin closes the client it created when the app closes).
     */
    async close(closeOptions) {
      await app.close();
      return app.authentikEvents.close(closeOptions);
    },
  };
}
