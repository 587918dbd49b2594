import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { satisfies } from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const PACKAGES = ['core', 'testing', 'express', 'koa', 'fastify'].map(
  (name) => `@authentik-events/${name}`,
);
const FRAMEWORKS = ['express', 'koa', 'fastify'] as const;
// Packing and a real install: the slowest test of the project, by far.
const SETUP_TIMEOUT_MS = 180_000;

let workDir: string;
let appDir: string;
let tarballs: string[];

/** The framework versions the workspace has, so an offline install finds them in the npm cache. */
async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(
    await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
  );
  return manifest.version as string;
}

/** npm install from the cache when it can (this machine), else from the registry (CI). */
async function npmInstall(cwd: string, specs: string[]): Promise<void> {
  const args = [
    'install',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--loglevel=error',
    ...specs,
  ];
  try {
    await run('npm', [...args, '--offline'], { cwd });
  } catch {
    await run('npm', [...args, '--prefer-offline'], { cwd });
  }
}

interface Manifest {
  engines?: { node?: string };
  dependencies?: Record<string, string>;
}

async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Where Node.js finds `name` from `dir`: the nearest node_modules up the tree, as require does. */
function findInstalled(dir: string, name: string): string {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(at) === at) throw new Error(`${name} is not installed for ${dir}`);
  }
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'authentik-events-packed-'));
  const packDir = join(workDir, 'packs');
  appDir = join(workDir, 'app');
  await mkdir(packDir);
  await mkdir(appDir);
  // The packages as npm would publish them: their built dist/ only.
  for (const name of PACKAGES) {
    const dist = join(ROOT, 'packages', name.split('/')[1] as string, 'dist', 'index.cjs');
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npx turbo run build\` first`);
  }
  await run(
    'npm',
    [
      'pack',
      '--silent',
      '--pack-destination',
      packDir,
      ...PACKAGES.flatMap((name) => ['-w', name]),
    ],
    { cwd: ROOT },
  );
  tarballs = (await readdir(packDir))
    .filter((file) => file.endsWith('.tgz'))
    .map((file) => join(packDir, file));

  // A user's app outside the workspace, so nothing resolves to the source tree.
  await writeFile(
    join(appDir, 'package.json'),
    JSON.stringify({ name: 'packed-app', private: true }),
  );
  const frameworks = await Promise.all(
    FRAMEWORKS.map(async (name) => `${name}@${await installedVersion(name)}`),
  );
  await npmInstall(appDir, [...tarballs, ...frameworks]);
  for (const script of ['run-app.mjs', 'run-app.cjs'])
    await copyFile(join(HERE, 'fixtures', script), join(appDir, script));
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the packed packages, installed as a user installs them', () => {
  it('packs all five packages', async () => {
    const expected = await Promise.all(
      PACKAGES.map(async (name) => {
        const manifest = JSON.parse(
          await readFile(
            join(ROOT, 'packages', name.split('/')[1] as string, 'package.json'),
            'utf8',
          ),
        );
        return `authentik-events-${name.split('/')[1]}-${manifest.version}.tgz`;
      }),
    );
    expect(tarballs.map((file) => basename(file)).sort()).toEqual(expected.sort());
  });

  it('every package, example and the workspace declare the same engines', async () => {
    const manifests = [
      'package.json',
      ...PACKAGES.map((name) => `packages/${name.split('/')[1]}/package.json`),
      ...(await readdir(join(ROOT, 'examples'))).map((name) => `examples/${name}/package.json`),
    ];
    const engines = await Promise.all(
      manifests.map(async (file) => {
        const manifest = JSON.parse(await readFile(join(ROOT, file), 'utf8'));
        return [file, manifest.engines] as const;
      }),
    );
    const root = engines[0]?.[1];
    expect(root).toEqual({ node: expect.any(String) });
    expect(Object.fromEntries(engines)).toEqual(
      Object.fromEntries(manifests.map((file) => [file, root])),
    );
  });

  it(`the installed packages accept Node.js ${process.version} in their engines`, async () => {
    const refused: string[] = [];
    for (const name of PACKAGES) {
      const manifest = await readManifest(join(appDir, 'node_modules', name));
      const range = manifest.engines?.node;
      // An empty range would accept anything: a package without one fails here too.
      if (typeof range !== 'string' || range === '' || !satisfies(process.version, range))
        refused.push(`${name}: engines ${JSON.stringify(manifest.engines)}`);
    }
    expect(refused).toEqual([]);
  });

  it(`so do their runtime dependencies, all the way down, on Node.js ${process.version}`, async () => {
    // What our packages pull into a user's app (undici, lru-cache, zod, …), not the frameworks
    // the user picks. A dependency without engines accepts every version.
    const seen = new Map<string, string | undefined>();
    const refused: string[] = [];
    const visit = async (dir: string) => {
      const manifest = await readManifest(dir);
      for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        const found = findInstalled(dir, dependency);
        if (seen.has(found)) continue;
        const range = (await readManifest(found)).engines?.node;
        seen.set(found, range);
        if (range !== undefined && !satisfies(process.version, range))
          refused.push(`${dependency}: engines.node ${JSON.stringify(range)}`);
        await visit(found);
      }
    };
    for (const name of PACKAGES) await visit(join(appDir, 'node_modules', name));
    expect([...seen.keys()].map((dir) => basename(dir))).toEqual(
      expect.arrayContaining(['core', 'undici', 'lru-cache', 'zod']),
    );
    expect(refused).toEqual([]);
  });

  it.each(
    FRAMEWORKS.flatMap((framework) => [
      [framework, 'esm', 'run-app.mjs'],
      [framework, 'cjs', 'run-app.cjs'],
    ]),
  )(
    `%s from %s on Node.js ${process.version}: the request and the app's own event reach the fake`,
    async (framework, format, script) => {
      const { stdout, stderr } = await run(process.execPath, [script, framework], {
        cwd: appDir,
        timeout: 30_000,
      });
      // A delivery failure inside the script shows up as the client's warning, not as an exit
      // code; a deprecation this Node.js reports about the packages shows up here too.
      expect(stderr).toBe('');
      const [runtime, events] = stdout
        .trim()
        .split('\n')
        .slice(-2)
        .map((line) => JSON.parse(line)) as [
        { node: string; entries: Record<string, string> },
        Array<Record<string, unknown>>,
      ];
      // Each format gets its own build on every version, also where require() can load ESM.
      const entry = format === 'esm' ? 'index.js' : 'index.cjs';
      expect(runtime).toEqual({
        node: process.version,
        entries: Object.fromEntries(PACKAGES.map((name) => [name.split('/')[1], entry])),
      });
      const app = `packed-${framework}-${format}`;
      const byAction = (a: Record<string, unknown>, b: Record<string, unknown>) =>
        String(a.action).localeCompare(String(b.action));
      expect(events.sort(byAction)).toEqual([
        {
          action: 'custom_',
          custom_action: 'http_request',
          app,
          user: {},
          path: '/login',
          status: 204,
        },
        {
          action: 'login',
          custom_action: null,
          app,
          user: { username: 'jane' },
          path: '/login',
          status: null,
        },
      ]);
    },
  );

  it('publint finds no errors in any tarball', async () => {
    const errors: string[] = [];
    for (const tarball of tarballs) {
      const bytes = await readFile(tarball);
      const result = await publint({
        pack: {
          tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        },
      });
      for (const message of result.messages) {
        if (message.type === 'error')
          errors.push(
            `${result.pkg.name}: ${formatMessage(message, result.pkg, { color: false })}`,
          );
      }
    }
    expect(errors).toEqual([]);
  });
});
