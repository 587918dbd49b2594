#!/usr/bin/env node
// `npm run notices` (after a build): writes each published package's THIRD-PARTY-NOTICES from
// what its dist/ bundles, or removes the file when it bundles nothing. `--check` writes nothing
// and fails when a file is out of date (test/package/third-party-notices.test.ts does the same).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NOTICES_FILE, noticesFor, publishedPackageDirs } from './lib/third-party-notices.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const dir of publishedPackageDirs(root)) {
  const file = join(dir, NOTICES_FILE);
  const wanted = noticesFor(dir);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (wanted === current) continue;
  stale++;
  if (check) console.error(`${relative(root, file)} is out of date: run \`npm run notices\``);
  else if (wanted === undefined) rmSync(file);
  else writeFileSync(file, wanted);
  if (!check) console.log(`${wanted === undefined ? 'removed' : 'wrote'} ${relative(root, file)}`);
}
if (check && stale > 0) process.exitCode = 1;
