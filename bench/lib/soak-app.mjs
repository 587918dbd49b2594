// The app of bench/soak-flapping.mjs: Express 5 with the middleware (defaults, autoLog on), one
// in `loginEvery` requests also emitting `login`. Prints `READY <port>`, then a `SAMPLE <json>`
// line with the client's stats() every `sampleMs`; on SIGTERM closes the server and the client
// (flushing what is queued) and prints `RESULT <json>`.
//   node soak-app.mjs <fake url> <token> <delivery mode> <loginEvery> <sampleMs> <closeTimeoutMs>
import { authentikEvents } from '@authentik-events/express';
import express from 'express';

const [url, token, delivery, loginEveryText, sampleMsText, closeTimeoutText] =
  process.argv.slice(2);
const loginEvery = Number(loginEveryText);

/** What the client reported through onError, by code; the first message of each code kept. */
const errors = {};
const events = authentikEvents({
  url,
  token,
  app: 'soak',
  autoLog: true,
  ...(delivery === 'default' ? {} : { delivery }),
  onError: (error) => {
    errors[error.code] ??= { count: 0, first: error.message, at: [] };
    const entry = errors[error.code];
    entry.count++;
    // The stall report is what the soak looks for: keep when each one came.
    if (entry.at.length < 20) entry.at.push(Date.now());
  },
});

const app = express();
app.use(events);
let requests = 0;
app.get('/', (req, res) => {
  requests++;
  if (loginEvery > 0 && requests % loginEvery === 0) {
    req.authentik.emit('login', { context: { username: `user${requests % 97}` } });
  }
  res.send('hello world');
});
app.use(events.errorHandler);

const sample = () => {
  const stats = events.client.stats();
  const line = { at: Date.now(), ...stats, heapUsed: process.memoryUsage().heapUsed };
  process.stdout.write(`SAMPLE ${JSON.stringify(line)}\n`);
};
const sampler = setInterval(sample, Number(sampleMsText));

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});

process.once('SIGTERM', async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  sample();
  const startedAt = Date.now();
  const report = await events.close({ timeoutMs: Number(closeTimeoutText) });
  clearInterval(sampler);
  const result = {
    closeMs: Date.now() - startedAt,
    stats: events.client.stats(),
    closeReport: report ?? null,
    errors,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
});
