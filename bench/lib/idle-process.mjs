// One variant of idle-cost.mjs in its own process, forked with an IPC channel (which keeps every
// variant alive the same way, client or not):
//   node idle-process.mjs <variant> <url> <token>
// none         the core is imported, no client is made: the baseline
// background   a client with the default delivery; one event delivered, then idle
// worker       the same with delivery: 'worker'
// in-process   the same with delivery: 'in-process'
// Over IPC: { started } once set up; then 'mark' (a phase starts) and 'report' (it ends) are
// answered with process.cpuUsage() since the mark (every thread of the process, the delivery
// worker's included) and what keeps the event loop alive (process.getActiveResourcesInfo()).
import { createEventClient } from '@authentik-events/core';

const [variant, url, token] = process.argv.slice(2);

let client;
if (variant !== 'none') {
  client = createEventClient({
    url,
    token,
    app: 'bench-idle',
    delivery: variant,
    onError: (error) => console.error(`idle-process ${variant}: ${error.code} ${error.message}`),
  });
  client.emit({ action: 'custom_idle_bench', context: { variant } });
  const report = await client.flush({ timeoutMs: 10_000 });
  if (report.delivered !== 1) {
    console.error(`idle-process ${variant}: not delivered: ${JSON.stringify(report)}`);
    process.exit(1);
  }
}

let mark = process.cpuUsage();
process.on('message', (message) => {
  if (message === 'mark') {
    mark = process.cpuUsage();
    process.send({ marked: true });
  } else if (message === 'report') {
    const used = process.cpuUsage(mark);
    process.send({
      cpuMs: (used.user + used.system) / 1000,
      resources: process.getActiveResourcesInfo(),
      stats: client?.stats(),
    });
  } else if (message === 'exit') {
    void Promise.resolve(client?.close()).then(() => process.exit(0));
  }
});
process.send({ started: true });
