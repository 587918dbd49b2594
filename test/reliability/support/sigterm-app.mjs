// An app as it would run in production: Express with the adapter, and a SIGTERM handler that
// stops the server, closes the adapter with a 2 s deadline, prints what the close reported and
// exits. Started by the SIGTERM scenario, which takes the fake down before sending the signal.
//
// Usage: node sigterm-app.mjs '{"url":"http://127.0.0.1:PORT","token":"…"}'
// Prints "READY <url>" once listening, and one JSON line { before, report, after } on SIGTERM.
import { authentikEvents } from '@authentik-events/express';
import express from 'express';

const { url, token } = JSON.parse(process.argv[2]);
const CLOSE_TIMEOUT_MS = 2000;

const events = authentikEvents({
  url,
  token,
  app: 'sigterm-app',
  flushIntervalMs: 50,
  requestTimeoutMs: 500,
  retry: { minDelayMs: 50, maxDelayMs: 400 },
  // A warning on stderr is fine, but the report on stdout must be the only output there.
  onError: () => {},
});
const app = express();
app.use(events);
app.get('/', (_req, res) => {
  res.send('ok');
});
app.use(events.errorHandler);

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${server.address().port}\n`);
});

process.once('SIGTERM', async () => {
  const before = events.client.stats();
  server.close();
  server.closeAllConnections();
  const report = await events.close({ timeoutMs: CLOSE_TIMEOUT_MS });
  const after = events.client.stats();
  process.stdout.write(`${JSON.stringify({ before, report, after })}\n`);
  process.exit(0);
});
