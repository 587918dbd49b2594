import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkPackage, createPackageFromTarballData, Package } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { satisfies } from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const PACKAGES = ['core', 'testing', 'express', 'koa', 'fastify', 'hono', 'nestjs'].map(
  (name) => `@authentik-events/${name}`,
);
const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'nestjs'] as const;
/** What a user installs beside each adapter (the framework, and for Nest its platform). */
const FRAMEWORK_PACKAGES: Record<(typeof FRAMEWORKS)[number], string[]> = {
  express: ['express'],
  koa: ['koa'],
  fastify: ['fastify'],
  hono: ['hono', '@hono/node-server'],
  nestjs: [
    '@nestjs/common',
    '@nestjs/core',
    '@nestjs/platform-express',
    'reflect-metadata',
    'rxjs',
  ],
};
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
    FRAMEWORKS.flatMap((framework) => FRAMEWORK_PACKAGES[framework]).map(
      async (name) => `${name}@${await installedVersion(name)}`,
    ),
  );
  await npmInstall(appDir, [...tarballs, ...frameworks]);
  for (const script of ['run-app.mjs', 'run-app.cjs'])
    await copyFile(join(HERE, 'fixtures', script), join(appDir, script));
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the packed packages, installed as a user installs them', () => {
  it('checks every published package of the repository (a new one must be added to PACKAGES)', async () => {
    const published: string[] = [];
    for (const dir of await readdir(join(ROOT, 'packages'))) {
      const file = join(ROOT, 'packages', dir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(await readFile(file, 'utf8'));
      if (!manifest.private) published.push(manifest.name);
    }
    expect(published.sort()).toEqual([...PACKAGES].sort());
  });

  it('packs every package', async () => {
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

  it('publint finds nothing to say about any tarball, not even a suggestion', async () => {
    const messages: string[] = [];
    for (const tarball of tarballs) {
      const bytes = await readFile(tarball);
      const result = await publint({
        level: 'suggestion',
        pack: {
          tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        },
      });
      for (const message of result.messages) {
        messages.push(
          `${result.pkg.name}: ${message.type}: ${formatMessage(message, result.pkg, { color: false })}`,
        );
      }
    }
    expect(messages).toEqual([]);
  });

  it('are the types wrong? No problem in any tarball, for ESM, CommonJS and bundlers', async () => {
    // The library behind `npx attw`, in-process: one TypeScript load for all five packages.
    const problems: string[] = [];
    for (const tarball of tarballs) {
      const checked = await checkPackage(
        createPackageFromTarballData(new Uint8Array(await readFile(tarball))),
      );
      if (checked.types === false) {
        problems.push(`${basename(tarball)}: no types`);
        continue;
      }
      for (const problem of checked.problems) {
        // The delivery worker's subpath is a file for a bundler to build as an entry point of
        // its own, not a module to import: it has no API, so no types to resolve.
        if ('entrypoint' in problem && problem.entrypoint === './delivery-worker') continue;
        problems.push(`${checked.packageName}: ${JSON.stringify(problem)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the types check does find a problem: a control package whose `require` gets ESM types', async () => {
    const root = '/node_modules/broken';
    const broken = new Package(
      {
        [`${root}/package.json`]: JSON.stringify({
          name: 'broken',
          version: '1.0.0',
          type: 'module',
          exports: { '.': { types: './index.d.ts', import: './index.js', require: './index.cjs' } },
        }),
        [`${root}/index.d.ts`]: 'export declare const x: number;\n',
        [`${root}/index.js`]: 'export const x = 1;\n',
        [`${root}/index.cjs`]: 'exports.x = 1;\n',
      },
      'broken',
      '1.0.0',
    );
    const checked = await checkPackage(broken);
    expect(checked.types && checked.problems.map((problem) => problem.kind)).toEqual(['FalseESM']);
  });

  it.each(PACKAGES)('%s ships its README, LICENSE and links to the repository', async (name) => {
    const short = name.split('/')[1] as string;
    const tarball = tarballs.find((file) =>
      basename(file).startsWith(`authentik-events-${short}-`),
    );
    const { stdout } = await run('tar', ['-tzf', tarball as string]);
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package/README.md', 'package/LICENSE']));
    const extracted = await mkdtemp(join(workDir, `${short}-`));
    await run('tar', ['-xzf', tarball as string, '-C', extracted]);
    const licence = await readFile(join(extracted, 'package', 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) 2026 authentik-events contributors\n/);
    const readme = await readFile(join(extracted, 'package', 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`^# ${name}\n`));
    expect(readme).toContain(`npm i ${short === 'testing' ? '-D ' : ''}${name}`);
    expect(readme).toContain('(https://github.com/authentik-events/authentik-events#readme)');
    const manifest = JSON.parse(await readFile(join(extracted, 'package', 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: {
        type: 'git',
        url: 'git+https://github.com/authentik-events/authentik-events.git',
        directory: `packages/${short}`,
      },
      homepage: 'https://github.com/authentik-events/authentik-events#readme',
      bugs: 'https://github.com/authentik-events/authentik-events/issues',
    });
    // Only what a user needs: no sources, tests or configuration.
    const unexpected = files.filter(
      (file) =>
        !file.startsWith('package/dist/') &&
        !(short === 'testing' && file.startsWith('package/page/')) &&
        ![
          'package/package.json',
          'package/README.md',
          'package/LICENSE',
          'package/THIRD-PARTY-NOTICES',
        ].includes(file),
    );
    expect(unexpected).toEqual([]);
  });

  it.each([
    [
      'esm',
      '--input-type=module',
      "import { startFakeAuthentik } from '@authentik-events/testing';",
    ],
    [
      'cjs',
      '--input-type=commonjs',
      "const { startFakeAuthentik } = require('@authentik-events/testing');",
    ],
  ])(
    'the installed test double (%s) finds and serves its event page',
    async (_format, inputType, load) => {
      const script = `${load}
(async () => {
  const fake = await startFakeAuthentik({ quiet: true });
  const statuses = [];
  for (const path of ['', '_fake/event-page.js', '_fake/event-rows.js', '_fake/event-page.css', '_fake/icon.svg'])
    statuses.push((await fetch(fake.pageUrl + path)).status);
  await fake.close();
  console.log(JSON.stringify(statuses));
})();`;
      const { stdout } = await run(process.execPath, [inputType, '-e', script], {
        cwd: appDir,
        timeout: 30_000,
      });
      expect(JSON.parse(stdout)).toEqual([200, 200, 200, 200, 200]);
    },
  );

  it('the core ships the licences of the code its dist bundles', async () => {
    const tarball = tarballs.find((file) => basename(file).startsWith('authentik-events-core-'));
    const { stdout } = await run('tar', [
      '-xzOf',
      tarball as string,
      'package/THIRD-PARTY-NOTICES',
    ]);
    for (const bundled of ['tsup']) {
      expect(stdout).toContain(`\n${bundled} (MIT, https://github.com/`);
    }
  });
});
