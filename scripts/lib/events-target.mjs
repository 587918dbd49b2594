import { startFakeAuthentik } from '@authentik-events/testing';

/**
 * Where the demo's events go: authentik when AUTHENTIK_URL and AUTHENTIK_TOKEN are both set,
 * else the embedded fake from @authentik-events/testing (a local test double, not authentik).
 */
export async function openEventsTarget(env = process.env) {
  const url = env.AUTHENTIK_URL;
  const token = env.AUTHENTIK_TOKEN;
  if (url && token) {
    return {
      url,
      token,
      description: `authentik at ${url}`,
      // authentik's own event log, in its admin interface.
      pageUrl: `${url.replace(/\/+$/, '')}/if/admin/#/events/log`,
      close: async () => {},
    };
  }
  const notes = [];
  if (url || token) {
    notes.push(
      `only ${url ? 'AUTHENTIK_URL' : 'AUTHENTIK_TOKEN'} is set; both are needed, so it is ignored`,
    );
  }
  const fake = await startFakeAuthentik();
  notes.push('a test double from @authentik-events/testing, not authentik; events stay in memory');
  notes.push('set AUTHENTIK_URL and AUTHENTIK_TOKEN to send them to your authentik instead');
  return {
    url: fake.url,
    token: fake.token,
    description: `the local fake authentik events server at ${fake.url}`,
    pageUrl: fake.pageUrl,
    notes,
    close: () => fake.close(),
  };
}
