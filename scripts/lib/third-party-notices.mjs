// The licence texts of third-party code that a package's build bundles into its dist/ (tsup
// inlines what `noExternal` names, devDependencies it imports, and its own CommonJS shims).
// The bundled modules are read from the source maps, so nothing bundled can be missed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const NOTICES_FILE = 'THIRD-PARTY-NOTICES';
const LICENCE_FILES = ['LICENSE', 'license', 'LICENSE.md', 'license.md', 'LICENSE.txt', 'LICENCE'];

/** The directory of the npm package a bundled source file came from, or undefined for our own. */
function packageDirOf(mapDir, source) {
  const path = resolve(mapDir, source);
  const at = path.lastIndexOf('/node_modules/');
  if (at === -1) return undefined;
  const parts = path.slice(at + '/node_modules/'.length).split('/');
  const length = parts[0]?.startsWith('@') ? 2 : 1;
  return join(path.slice(0, at), 'node_modules', ...parts.slice(0, length));
}

/** The npm packages whose code is in `packageDir`'s dist/, as their directories, sorted by name. */
export function bundledPackages(packageDir) {
  const dist = join(packageDir, 'dist');
  const found = new Set();
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(join(dist, file), 'utf8'));
    for (const source of map.sources ?? []) {
      const dir = packageDirOf(dist, source);
      if (dir) found.add(dir);
    }
  }
  return [...found].sort((a, b) => a.localeCompare(b));
}

function licenceText(dir, name) {
  const file = LICENCE_FILES.map((candidate) => join(dir, candidate)).find(existsSync);
  if (!file)
    throw new Error(`${name} is bundled but ships no licence file: add its licence by hand`);
  return readFileSync(file, 'utf8').trim();
}

function repositoryOf(manifest) {
  const repository = manifest.repository;
  const url = typeof repository === 'string' ? repository : repository?.url;
  if (!url) return manifest.homepage ?? '';
  return /^[\w.-]+\/[\w.-]+$/.test(url) ? `https://github.com/${url}` : url.replace(/^git\+/, '');
}

/** The notices file's text for `packageDir`, or undefined when its dist bundles nothing. */
export function noticesFor(packageDir) {
  const dirs = bundledPackages(packageDir);
  if (dirs.length === 0) return undefined;
  const own = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).name;
  const sections = dirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return [
      `${manifest.name} (${manifest.license}, ${repositoryOf(manifest)})`,
      '',
      licenceText(dir, manifest.name),
    ].join('\n');
  });
  const rule = `\n\n${'-'.repeat(78)}\n\n`;
  return `${[
    `${own} bundles code of the following packages into its dist/ files. Their licences:`,
    ...sections,
  ].join(rule)}\n`;
}

/** The published packages of the repository at `root`. */
export function publishedPackageDirs(root) {
  const packages = join(root, 'packages');
  return readdirSync(packages)
    .map((name) => join(packages, name))
    .filter((dir) => {
      const file = join(dir, 'package.json');
      return existsSync(file) && !JSON.parse(readFileSync(file, 'utf8')).private;
    });
}
