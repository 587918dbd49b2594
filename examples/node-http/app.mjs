import { createServer } from 'node:http';
import { createAccounts } from './accounts.mjs';
import { authentikEvents } from './authentik-events-http.mjs';
import { BodyError, readJson } from './read-json.mjs';

function urlOf(server) {
  const { address, port } = server.address();
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * The example app on plain node:http: sign-in, an account page, a route that fails, a health
 * check, the same as the Express, Koa and Fastify examples. Every option besides `app` (the
 * events' app name) goes to the adapter in `authentik-events-http.mjs`.
 *
 * @param {import('@authentik-events/core').AdapterOptions<import('node:http').IncomingMessage>} [options]
 * @example
 * const { listen, close } = createApp({ url: 'https://auth.example.com', token, app: 'shop' });
 * console.log(await listen(3000));
 * process.once('SIGTERM', () => close());
 */
export function createApp({ app: appName = 'example-node-http', ...options } = {}) {
  const accounts = createAccounts();
  // 'lookup' names the brand authentik would pick for the request's host.
  const events = authentikEvents({
    app: appName,
    ignore: ['/health'],
    brand: 'lookup',
    ...options,
  });

  async function login(req, res) {
    const { username, password } = (await readJson(req)) ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') {
      sendJson(res, 400, { error: 'send JSON {"username": "...", "password": "..."}' });
      return;
    }
    const user = accounts.verify(username, password);
    if (!user) {
      req.authentik.emit('login_failed', { context: { username } });
      sendJson(res, 401, { error: 'wrong username or password' });
      return;
    }
    // The reader reads req.user, so both the login event and this request's event carry the user.
    req.user = user;
    req.authentik.emit('login', { context: { username } });
    sendJson(res, 200, { token: accounts.startSession(user) });
  }

  function account(req, res) {
    const user = accounts.userFor(req.headers.authorization);
    if (!user) {
      sendJson(res, 401, {
        error: 'sign in first: POST /login, then send Authorization: Bearer <token>',
      });
      return;
    }
    req.user = user;
    sendJson(res, 200, { username: user.username, email: user.email });
  }

  const routes = {
    'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'POST /login': login,
    'GET /account': account,
    'GET /boom': () => {
      throw new Error('boom: this route always fails');
    },
  };

  const server = createServer(
    events.handler(async (req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      const route = routes[`${req.method} ${path}`];
      if (!route) {
        sendJson(res, 404, { error: 'not found' });
        return;
      }
      try {
        await route(req, res);
      } catch (error) {
        // The client's mistake, answered here; anything else goes on to the adapter (500).
        if (!(error instanceof BodyError)) throw error;
        sendJson(res, error.status, { error: error.message }, { connection: 'close' });
      }
    }),
  );

  return {
    server,
    /** The events client (stats(), flush()). */
    client: events.client,
    /** Listens and resolves with the base URL. */
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(urlOf(server));
        });
      });
    },
    /** Stops accepting requests, lets the open ones finish, then flushes and closes the events client. */
    async close(closeOptions) {
      if (server.listening) await new Promise((resolve) => server.close(resolve));
      return events.close(closeOptions);
    },
  };
}
