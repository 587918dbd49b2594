import { authentikEvents } from '@authentik-events/express';
import express from 'express';
import { createAccounts } from './accounts.mjs';

function urlOf(server) {
  const { address, port } = server.address();
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * The example Express app: sign-in, an account page, a route that fails, a health check.
 * Every option besides `app` (the events' app name) goes to the adapter: `url` and `token`
 * (default AUTHENTIK_URL / AUTHENTIK_TOKEN), and any other client option.
 *
 * @param {import('@authentik-events/express').AuthentikEventsOptions} [options]
 * @example
 * const { listen, close } = createApp({ url: 'https://auth.example.com', token, app: 'shop' });
 * console.log(await listen(3000));
 * process.once('SIGTERM', () => close());
 */
export function createApp({ app: appName = 'example-express', ...options } = {}) {
  const accounts = createAccounts();
  // 'lookup' names the brand authentik would pick for the request's host.
  const events = authentikEvents({
    app: appName,
    ignore: ['/health'],
    brand: 'lookup',
    ...options,
  });
  const app = express();

  // First, so that every request is recorded, including ones the body parser refuses.
  app.use(events);
  app.use(express.json({ limit: '16kb' }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/login', (req, res) => {
    const { username, password } = req.body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      res.status(400).json({ error: 'send JSON {"username": "...", "password": "..."}' });
      return;
    }
    const user = accounts.verify(username, password);
    if (!user) {
      req.authentik.emit('login_failed', { context: { username } });
      res.status(401).json({ error: 'wrong username or password' });
      return;
    }
    // The adapter reads req.user, so both the login event and this request's event carry the user.
    req.user = user;
    req.authentik.emit('login', { context: { username } });
    res.json({ token: accounts.startSession(user) });
  });

  /** Sets req.user from the bearer token, or answers 401. */
  function requireUser(req, res, next) {
    const user = accounts.userFor(req.get('authorization'));
    if (!user) {
      res
        .status(401)
        .json({ error: 'sign in first: POST /login, then send Authorization: Bearer <token>' });
      return;
    }
    req.user = user;
    next();
  }

  app.get('/account', requireUser, (req, res) => {
    res.json({ username: req.user.username, email: req.user.email });
  });

  app.get('/boom', () => {
    throw new Error('boom: this route always fails');
  });

  // After the routes: records thrown errors as system_exception, then passes them on.
  app.use(events.errorHandler);
  app.use(function jsonErrors(error, _req, res, _next) {
    const status = Number.isInteger(error.status) && error.status >= 400 ? error.status : 500;
    res.status(status).json({ error: status < 500 ? error.message : 'internal error' });
  });

  let server;
  return {
    app,
    /** The events client (stats(), flush()). */
    client: events.client,
    /** Listens and resolves with the base URL. */
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server = app.listen(port, host, (error) =>
          error ? reject(error) : resolve(urlOf(server)),
        );
      });
    },
    /** Stops accepting requests, lets the open ones finish, then flushes and closes the events client. */
    async close(closeOptions) {
      if (server?.listening) await new Promise((resolve) => server.close(resolve));
      return events.close(closeOptions);
    },
  };
}
