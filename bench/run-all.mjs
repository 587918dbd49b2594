// Runs every benchmark in sequence, each in its own process, and prints how long each took.
// `npm run bench` builds the packages first. Each benchmark prints its tables and writes
// bench/results/<name>.json (git-ignored). See bench/README.md for how to read them.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { machine } from './lib/report.mjs';

const BENCHES = [
  'transport.mjs',
  'delivery-throughput.mjs',
  'drain.mjs',
  'memory-emit.mjs',
  'request-path.mjs',
  'request-overhead.mjs',
  'priorities.mjs',
  'idle-cost.mjs',
];

function run(script) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], {
      stdio: 'inherit',
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

const info = machine();
console.log(
  `authentik-events benchmarks on ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, ${info.date}`,
);
console.log(
  `load average before: ${os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')} (other work on the machine skews every figure)`,
);
const startedAt = Date.now();
const timings = [];
let failed = 0;
for (const script of BENCHES) {
  console.log(`\n=== ${script} ===`);
  const benchStart = Date.now();
  const code = await run(script);
  timings.push(
    `${script} ${((Date.now() - benchStart) / 1000).toFixed(0)} s${code === 0 ? '' : ` (exit ${code})`}`,
  );
  if (code !== 0) failed++;
}
console.log(
  `\n=== done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${timings.join(', ')} ===`,
);
process.exitCode = failed > 0 ? 1 : 0;
