// One memory configuration in its own process (a clean baseline):
//   node --expose-gc memory-process.mjs <config> <deadUrl> <emits>
// Emits `emits` new typical events while the server is down (a closed port), synchronously,
// sampling RSS; then reports the peak above the baseline and the client's counters.
import { createEventClient } from '@authentik-events/core';
import { DEFAULT_LIMITS, MEMORY_CONFIGS } from './memory-configs.mjs';
import { typicalEvent } from './typical-event.mjs';

const [config, url, emitsText] = process.argv.slice(2);
const emits = Number(emitsText);
const { options } = MEMORY_CONFIGS[config];

const client = createEventClient({
  url,
  token: 'bench',
  app: 'bench',
  onError: () => {},
  ...options,
});
typicalEvent(0); // load what the loop uses before the baseline
globalThis.gc();
const baseline = process.memoryUsage.rss();
const heapBaseline = process.memoryUsage().heapUsed;
let peak = baseline;
const cpu = process.cpuUsage();
for (let index = 0; index < emits; index++) {
  client.emit(typicalEvent(index));
  if (index % 5_000 === 0) {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }
}
const used = process.cpuUsage(cpu);
peak = Math.max(peak, process.memoryUsage.rss());
const stats = client.stats();
// What the queue really holds: the live heap once the garbage is collected.
globalThis.gc();
const liveHeapAboveBaseline = process.memoryUsage().heapUsed - heapBaseline;
console.log(
  `RESULT ${JSON.stringify({
    config,
    emits,
    baseline,
    peak,
    peakAboveBaseline: peak - baseline,
    limits: { ...DEFAULT_LIMITS, ...options },
    stats,
    liveHeapAboveBaseline,
    cpuNsPerEmit: ((used.user + used.system) * 1000) / emits,
  })}`,
);
process.exit(0);
