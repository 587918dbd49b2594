const MAX_PAGES = 10;
/** Clocks of the app and the server may differ; older events than this are surely not the run's. */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * This run's events as stored on the server, oldest first. Reads authentik's list endpoint
 * (newest first, paginated), so it works against a real authentik as well as the fake, and
 * keeps the events of `app` that carry `context.demo_run === runId`.
 */
export async function readRunEvents({ url, token, app, runId, expected, startedAt }) {
  const base = url.endsWith('/') ? url : `${url}/`;
  const found = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const listUrl = new URL(
      `api/v3/events/events/?page=${page}&page_size=100&ordering=-created`,
      base,
    );
    const response = await fetch(listUrl, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      const hint =
        response.status === 403 ? ' (reading events back needs a token that may view events)' : '';
      throw new Error(
        `GET ${listUrl.pathname} answered ${response.status}${hint}: ${(await response.text()).slice(0, 200)}`,
      );
    }
    const { results, pagination } = await response.json();
    for (const event of results) {
      if (event.app === app && event.context?.demo_run === runId) found.push(event);
    }
    const oldest = results.at(-1);
    const pastTheRun = oldest && Date.parse(oldest.created) < startedAt - CLOCK_SLACK_MS;
    if (found.length >= expected || !pagination?.next || pastTheRun) break;
  }
  return found.reverse();
}

/** The columns the demo shows, as strings, from an event as the server returns it. */
export function describeEvent(event) {
  const context = event.context ?? {};
  return {
    // The API takes only the bare "custom_"; the app's own name travels in context.custom_action.
    action: event.action === 'custom_' ? `custom_${context.custom_action ?? ''}` : event.action,
    user: event.user?.username ?? '-',
    ip: event.client_ip ?? '-',
    brand: event.brand?.name ?? '-',
    path: context.http_request?.path ?? '-',
    status: context.status === undefined || context.status === null ? '-' : String(context.status),
  };
}
