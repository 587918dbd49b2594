// A Node.js binary of a given major version, taken from the npm registry's `node` package
// (which ships the official binary for this platform) through npx: the first call downloads it,
// later ones find it in npx's cache under the npm cache. No other network than the registry.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Node.js majors this project supports and tests; the README and `engines` say the same. */
export const TESTED_NODE_MAJORS = [20, 22, 24];

/** A major version as `--node` takes it (`24`, `node@24`, `v24`); anything else is refused. */
export function parseMajor(text) {
  const match = /^(?:node@|v)?(\d+)$/.exec(String(text).trim());
  if (!match) throw new Error(`"${text}" is not a Node.js major version: give a number, like 24`);
  return Number(match[1]);
}

/**
 * Path and version of the newest Node.js `major`.x binary in the npm registry, fetched once and
 * cached by npx. Runs from the temporary directory so that no project's own `node` resolves.
 */
export async function nodeBinary(major) {
  const { stdout } = await run(
    'npx',
    [
      '--yes',
      '--package',
      `node@${major}`,
      '--',
      'node',
      '-p',
      'process.execPath + "\\n" + process.version',
    ],
    { cwd: tmpdir(), maxBuffer: 1024 * 1024 },
  );
  const [path, version] = stdout.trim().split('\n').slice(-2);
  if (!path || !version?.startsWith(`v${major}.`))
    throw new Error(
      `npx node@${major} printed ${JSON.stringify(stdout)}, not a Node.js ${major} path and version`,
    );
  return { path, version };
}
