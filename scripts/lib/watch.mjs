/**
 * `npm start -- --watch`: after the scripted session, keeps the events server up with a fresh
 * instance of the example app in front of it, and says where to look (the live event page of
 * the fake, or authentik's own event log) until Ctrl-C or SIGTERM. Resolves once stopped.
 */
export async function watchUntilStopped({ framework, target, appName, context }) {
  const { createApp } = await import(`../../examples/${framework}/app.mjs`);
  const example = await createApp({
    url: target.url,
    token: target.token,
    app: appName,
    context,
    // Events show on the page a moment after the request, not up to a second later.
    flushIntervalMs: 100,
  });
  const baseUrl = await example.listen(0, '127.0.0.1');
  const stopped = new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.log('\nwatching (Ctrl-C to stop):');
  console.log(`  event page:  ${target.pageUrl}`);
  console.log(`  example app: ${baseUrl}`);
  console.log(
    `  try: curl -X POST ${baseUrl}/login -H 'content-type: application/json' \\\n` +
      `         -d '{"username":"alice","password":"wrong"}'`,
  );
  const signal = await stopped;
  console.log(`\n${signal}: closing the example app and flushing its events`);
  await example.close({ timeoutMs: 5000 });
}
