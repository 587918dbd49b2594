// A Node.js binary of a given major version, taken from the npm registry's `node` package
// (which ships the official binary for this platform) through npx: the first call downloads it,
// later ones find it in npx's cache under the npm cache. No other network than the registry.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PRINT_PATH_AND_VERSION = 'process.execPath + "\\n" + process.version';

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
 * When the registry cannot be reached, the binary npx cached last time is used.
 */
export async function nodeBinary(major) {
  const npx = (extra) =>
    run(
      'npx',
      [...extra, '--yes', '--package', `node@${major}`, '--', 'node', '-p', PRINT_PATH_AND_VERSION],
      { cwd: tmpdir(), maxBuffer: 1024 * 1024 },
    );
  let stdout;
  try {
    ({ stdout } = await npx([]));
  } catch (online) {
    try {
      ({ stdout } = await npx(['--offline']));
    } catch {
      throw new Error(`npx could not get node@${major}: ${online.message.trim()}`);
    }
  }
  const [path, version] = stdout.trim().split('\n').slice(-2);
  if (!path || !version?.startsWith(`v${major}.`))
    throw new Error(
      `npx node@${major} printed ${JSON.stringify(stdout)}, not a Node.js ${major} path and version`,
    );
  return { path, version };
}
