// One transport in its own process (its CPU time is its own):
//   node transport-process.mjs <node-http|undici-pool> <url> <token> <count>
// Both send the same serialised event with 4 requests in flight over 4 keep-alive
// connections, each with a deadline and an abort signal, and read the whole answer: what
// packages/core/src/transport/node-http-transport.ts does for every event.
import http from 'node:http';
import { Pool } from 'undici';

const [variant, baseUrl, token, countText] = process.argv.slice(2);
const count = Number(countText);
const CONCURRENCY = 4;
const TIMEOUT_MS = 10_000;
const endpoint = new URL('/api/v3/events/events/', baseUrl);
const body = JSON.stringify({
  action: 'custom_',
  app: 'bench',
  client_ip: '127.0.0.1',
  context: {
    status: 200,
    duration_ms: 0.42,
    http_request: {
      path: '/',
      method: 'GET',
      user_agent: 'autocannon',
      request_id: '5f0c9a52-8f0e-4a5e-9d63-2b1f1a3c7d10',
    },
    event_id: '0b6f4b8e-2f7e-4a51-9d0e-6d1c2a9f8e11',
    custom_action: 'http_request',
  },
});
const headers = {
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json',
  'user-agent': 'authentik-events-bench',
};
const signal = new AbortController().signal;

function nodeHttp() {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: CONCURRENCY,
    maxFreeSockets: CONCURRENCY,
    scheduling: 'lifo',
  });
  const send = () =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(body);
      const req = http.request(endpoint, {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': payload.length },
      });
      const timer = setTimeout(() => req.destroy(new Error('timeout')), TIMEOUT_MS);
      const onAbort = () => req.destroy(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (error, status) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(status);
      };
      req.on('error', (error) => done(error));
      req.on('response', (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          Buffer.concat(chunks).toString('utf8');
          done(undefined, res.statusCode);
        });
      });
      req.end(payload);
    });
  return { send, close: () => agent.destroy() };
}

function undiciPool() {
  const pool = new Pool(endpoint.origin, {
    connections: CONCURRENCY,
    pipelining: 1,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  const send = async () => {
    const res = await pool.request({
      path: endpoint.pathname,
      method: 'POST',
      headers,
      body,
      signal,
    });
    await res.body.text();
    return res.statusCode;
  };
  return { send, close: () => pool.close() };
}

const transport = { 'node-http': nodeHttp, 'undici-pool': undiciPool }[variant]();
const statuses = {};
let next = 0;
const cpu = process.cpuUsage();
const startedAt = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      next++;
      const status = await transport.send().catch((error) => error.code ?? error.message);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
const wallMs = performance.now() - startedAt;
const used = process.cpuUsage(cpu);
await transport.close();
console.log(
  `RESULT ${JSON.stringify({ variant, count, wallMs, statuses, eventsPerSecond: (count * 1000) / wallMs, cpuUsPerEvent: (used.user + used.system) / count })}`,
);
process.exit(0);
