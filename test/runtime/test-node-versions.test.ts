// `npm run test:node-versions -- --node=…`: a version it cannot read is refused with what to give,
// before anything is downloaded or run. (Its real work, the suite under each version, is what CI
// does with it.)
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from '../examples/run-node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('scripts/test-node-versions.mjs', () => {
  it.each([
    ['--node=abc', '"abc"'],
    ['--node=', '""'],
    ['--node=24,lts', '"lts"'],
    ['--node=24.1', '"24.1"'],
  ])('refuses %s, naming %s and what to give', async (arg, named) => {
    const run = await runNode(ROOT, ['scripts/test-node-versions.mjs', arg]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `test-node-versions: ${named} is not a Node.js major version: give a number, like 24\n`,
    );
    // Refused before any version ran: no version's header, no summary.
    expect(run.stdout).toBe('');
  });
});
