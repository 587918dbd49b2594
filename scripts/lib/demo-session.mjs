/** The forged header the last step sends: an app that does not trust a proxy must ignore it. */
export const FORGED_IP = '203.0.113.66';

const GOOD = { username: 'alice', password: 'correct horse battery staple' };

/**
 * The scripted session: each step is one real HTTP request, the status it must get, and the
 * events it must leave on the server (`user` '-' means none; every event's client IP is the
 * loopback address the script connects from).
 */
export const STEPS = [
  {
    label: 'health check (ignored: not recorded)',
    method: 'GET',
    path: '/health',
    status: 200,
    records: [],
  },
  {
    label: 'failed login: alice, wrong password',
    method: 'POST',
    path: '/login',
    body: { username: 'alice', password: 'not-her-password' },
    status: 401,
    records: [
      { action: 'login_failed', user: '-', status: '-' },
      { action: 'custom_http_request', user: '-', status: '401' },
    ],
  },
  {
    label: 'good login: alice',
    method: 'POST',
    path: '/login',
    body: GOOD,
    status: 200,
    records: [
      { action: 'login', user: 'alice', status: '-' },
      { action: 'custom_http_request', user: 'alice', status: '200' },
    ],
  },
  {
    label: 'account page with the token',
    method: 'GET',
    path: '/account',
    withToken: true,
    status: 200,
    records: [{ action: 'custom_http_request', user: 'alice', status: '200' }],
  },
  {
    label: 'account page without a token',
    method: 'GET',
    path: '/account',
    status: 401,
    records: [{ action: 'custom_http_request', user: '-', status: '401' }],
  },
  {
    label: 'a route that throws',
    method: 'GET',
    path: '/boom',
    status: 500,
    records: [
      { action: 'custom_http_request', user: '-', status: '500' },
      { action: 'system_exception', user: '-', status: '500' },
    ],
  },
  {
    label: `failed login: mallory, forged X-Forwarded-For ${FORGED_IP}`,
    method: 'POST',
    path: '/login',
    body: { username: 'mallory', password: 'guess' },
    headers: { 'x-forwarded-for': FORGED_IP },
    status: 401,
    records: [
      { action: 'login_failed', user: '-', status: '-' },
      { action: 'custom_http_request', user: '-', status: '401' },
    ],
  },
];

/** Every event the session must leave, in order, with its path filled in. */
export function expectedRecords() {
  return STEPS.flatMap((step) => step.records.map((record) => ({ ...record, path: step.path })));
}

/**
 * Sends the steps to the app at `baseUrl`, one after another; `onStep` sees each answer.
 * Throws when a step gets another status than it must.
 */
export async function runSession(baseUrl, onStep) {
  let token;
  for (const step of STEPS) {
    const headers = { ...step.headers };
    if (step.body) headers['content-type'] = 'application/json';
    if (step.withToken) headers.authorization = `Bearer ${token}`;
    const response = await fetch(new URL(step.path, baseUrl), {
      method: step.method,
      headers,
      body: step.body ? JSON.stringify(step.body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    onStep(step, response.status);
    if (response.status !== step.status) {
      throw new Error(
        `${step.method} ${step.path} answered ${response.status}, expected ${step.status}: ${text.slice(0, 200)}`,
      );
    }
    if (step.path === '/login' && response.ok) token = JSON.parse(text).token;
  }
}
