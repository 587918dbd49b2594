// A small app that the worker-url tests bundle with esbuild, core and all, into one file, as an
// app that ships without node_modules would be: `node app.js <count> [workerUrl]`. It emits
// <count> events to AUTHENTIK_URL, flushes, and prints one JSON line: the flush report, the
// stats, what onError got, and how many threads of its process run at the lowest priority (the
// background delivery worker's, on Linux).
import { readdirSync, readFileSync } from 'node:fs';
import { createEventClient } from '@authentik-events/core';

function lowPriorityThreads() {
  if (process.platform !== 'linux') return null;
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16] === '19';
    } catch {
      return false;
    }
  }).length;
}

async function main() {
  const [count, workerUrl] = process.argv.slice(2);
  const errors = [];
  const client = createEventClient({
    app: 'bundled-app',
    flushIntervalMs: 20,
    onError: (error) => errors.push({ code: error.code, message: error.message }),
    ...(workerUrl ? { workerUrl } : {}),
  });
  for (let i = 0; i < Number(count); i++) client.emit({ action: 'custom_bundled', context: { i } });
  const report = await client.flush({ timeoutMs: 20_000 });
  const threads = lowPriorityThreads();
  await client.close();
  const { delivered, pending, complete } = report;
  const result = { delivered, pending, complete, stats: client.stats(), errors };
  console.log(JSON.stringify({ ...result, lowPriorityThreads: threads }));
}

main();
