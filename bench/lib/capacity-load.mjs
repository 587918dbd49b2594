// The load generator of bench/drain.mjs, in its own process: plain event POSTs in a closed loop
// (each connection sends its next request as soon as its answer is in), to measure what the
// stand-in can serve in this run. Nothing adaptive, no retries: the baseline.
//   node capacity-load.mjs <url> <token> <connections> <warmupMs> <measureMs>
// Prints `RESULT {stored, refused, storedPerSecond, ...}` for the measured part.
import { Pool } from 'undici';
import { typicalEventRequest } from './typical-event.mjs';

const [url, token, connectionsText, warmupText, measureText] = process.argv.slice(2);
const connections = Number(connectionsText);
const warmupMs = Number(warmupText);
const measureMs = Number(measureText);

const pool = new Pool(url, { connections, pipelining: 1 });
const headers = {
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json',
};
/** The wire form of the event the client sends for a request (see typical-event.mjs). */
function body(index) {
  const { clientIp, ...event } = typicalEventRequest(index);
  return JSON.stringify({ ...event, client_ip: clientIp });
}

let measuring = false;
let stored = 0;
let refused = 0;
let other = 0;
let index = 0;
const startedAt = performance.now();
const endAt = startedAt + warmupMs + measureMs;

async function loop() {
  while (performance.now() < endAt) {
    const response = await pool.request({
      path: '/api/v3/events/events/',
      method: 'POST',
      headers,
      body: body(index++),
    });
    await response.body.dump();
    if (!measuring) continue;
    if (response.statusCode === 201) stored++;
    else if (response.statusCode === 503) refused++;
    else other++;
  }
}

setTimeout(() => {
  measuring = true;
}, warmupMs).unref();
const loops = Array.from({ length: connections }, loop);
await Promise.all(loops);
await pool.close();
const seconds = measureMs / 1000;
console.log(
  `RESULT ${JSON.stringify({ connections, stored, refused, other, storedPerSecond: stored / seconds })}`,
);
process.exit(0);
