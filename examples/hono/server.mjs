#!/usr/bin/env node
// Runs the example: `node server.mjs` (or `npm start` in this folder). Ctrl-C stops it cleanly.
import { pathToFileURL } from 'node:url';
import { startFakeAuthentik } from '@authentik-events/testing';
import { createApp } from './app.mjs';

export { createApp } from './app.mjs';

/** authentik from AUTHENTIK_URL / AUTHENTIK_TOKEN, else the local fake (a test double). */
async function eventsTarget() {
  const { AUTHENTIK_URL: url, AUTHENTIK_TOKEN: token } = process.env;
  if (url && token) {
    console.log(`events go to authentik at ${url}`);
    return { url, token, close: async () => {} };
  }
  const fake = await startFakeAuthentik({
    onEvent: (event) => {
      const action =
        event.action === 'custom_' ? `custom_${event.context.custom_action}` : event.action;
      const user = event.user.username ?? '-';
      console.log(
        `  [fake] stored ${action} user=${user} ip=${event.client_ip} path=${event.context.http_request?.path}`,
      );
    },
  });
  console.log(
    `AUTHENTIK_URL and AUTHENTIK_TOKEN are not both set: events go to a local fake at ${fake.url}`,
  );
  console.log(
    '  (a test double from @authentik-events/testing, not authentik; it keeps events in memory)',
  );
  return fake;
}

async function main() {
  const target = await eventsTarget();
  const example = createApp({
    url: target.url,
    token: target.token,
    app: process.env.AUTHENTIK_APP || 'example-hono',
  });
  const url = await example.listen(
    Number(process.env.PORT || 3000),
    process.env.HOST || '127.0.0.1',
  );
  console.log(`example-hono listening on ${url}`);
  console.log(
    `  try: curl -X POST ${url}/login -H 'content-type: application/json' -d '{"username":"alice","password":"correct horse battery staple"}'`,
  );

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) process.exit(1); // a second Ctrl-C does not wait
    stopping = true;
    console.log(`${signal}: closing the server and flushing events`);
    const report = await example.close();
    const { emitted, delivered, dropped } = example.client.stats();
    const lost = Object.values(dropped).reduce((sum, n) => sum + n, 0);
    console.log(
      `events: ${emitted} emitted, ${delivered} delivered, ${lost} dropped, ${report.pending} not settled`,
    );
    await target.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    console.error(`example-hono: ${error.message}`);
    process.exit(1);
  });
}
