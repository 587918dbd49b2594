#!/usr/bin/env node
// `npm run test:node-versions [-- --node=24] [vitest args]`: the whole test suite (vitest) under
// every supported Node.js major other than the one running this script, which `npm test`
// covers. Each version's binary comes from the npm registry (cached after the first run). The
// packages are built once, before this script, by the running Node.js; only the tests change
// version. Every process a test starts (process.execPath, `node` or `npm` on PATH, worker
// threads, vitest's own workers) runs that version: its directory goes first on PATH.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary, parseMajor, TESTED_NODE_MAJORS } from './lib/node-binary.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `--node=22,24` (repeatable) picks versions; every other argument goes to vitest. */
function parseArgs(argv) {
  const majors = [];
  const vitestArgs = [];
  for (const arg of argv) {
    if (arg.startsWith('--node=')) majors.push(...arg.slice(7).split(',').map(parseMajor));
    else vitestArgs.push(arg);
  }
  const running = Number(process.versions.node.split('.')[0]);
  return {
    majors: majors.length > 0 ? majors : TESTED_NODE_MAJORS.filter((major) => major !== running),
    vitestArgs,
  };
}

function vitestEntry() {
  const manifestPath = createRequire(join(ROOT, 'package.json')).resolve('vitest/package.json');
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : bin.vitest);
}

function runVitest(binary, vitestArgs) {
  const env = {
    ...process.env,
    PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}`,
    // npm sets these to its own Node.js when it runs a script; tools that read them must not
    // fall back to the machine's version.
    NODE: binary,
    npm_node_execpath: binary,
  };
  return new Promise((resolveRun, reject) => {
    const child = spawn(binary, [vitestEntry(), 'run', ...vitestArgs], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun(signal ? 1 : (code ?? 1)));
  });
}

function minutes(ms) {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Runs the suite under one major; says how it went and how long it took, never throws. */
async function runMajor(major, vitestArgs) {
  const started = Date.now();
  let ok = false;
  let outcome;
  try {
    const { path, version } = await nodeBinary(major);
    console.log(`\n=== Node.js ${version} (${path}) ===\n`);
    const code = await runVitest(path, vitestArgs);
    ok = code === 0;
    outcome = `Node.js ${version}: ${ok ? 'passed' : `FAILED (vitest exit code ${code})`}`;
  } catch (error) {
    outcome = `Node.js ${major}: could not run: ${error.message}`;
  }
  return { ok, line: `${outcome} in ${minutes(Date.now() - started)}` };
}

let selection;
try {
  selection = parseArgs(process.argv.slice(2));
} catch (error) {
  console.error(`test-node-versions: ${error.message}`);
  process.exit(2);
}
const { majors, vitestArgs } = selection;
const results = [];
for (const major of majors) {
  const result = await runMajor(major, vitestArgs);
  console.log(`\n${result.line}`);
  results.push(result);
}
console.log(
  `\nNode.js versions tested here (${process.version}, which runs this, is \`npm test\`'s):`,
);
for (const { line } of results) console.log(`  ${line}`);
process.exitCode = results.length > 0 && results.every(({ ok }) => ok) ? 0 : 1;
