// The suite runs under each supported Node.js (`npm run test:node-versions`): every process a
// test starts must run the version under test, or a test would pass on the machine's Node.js
// while claiming another. Tests start `process.execPath`, and tools start `node` and `npm` from
// PATH (npm's own `#!/usr/bin/env node`, the packed-package install).
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the Node.js version under test', () => {
  it('is the one `node` on PATH runs', async () => {
    const { stdout } = await run('node', ['-p', 'process.version + " " + process.execPath']);
    expect(stdout.trim()).toBe(`${process.version} ${process.execPath}`);
  });

  it('is the one npm runs on (npm checks `engines` against it)', async () => {
    // `npm version` outside a package prints the versions of the Node.js npm itself runs on.
    const { stdout } = await run('npm', ['version', '--json'], { cwd: tmpdir() });
    expect(JSON.parse(stdout).node).toBe(process.versions.node);
  });
});
