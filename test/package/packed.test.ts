import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
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

  it.each(
    FRAMEWORKS.flatMap((framework) => [
      [framework, 'esm', 'run-app.mjs'],
      [framework, 'cjs', 'run-app.cjs'],
    ]),
  )(
    '%s from %s: the request and the app own event reach the fake',
    async (framework, format, script) => {
      const { stdout, stderr } = await run(process.execPath, [script, framework], {
        cwd: appDir,
        timeout: 30_000,
      });
      // A delivery failure inside the script shows up as the client's warning, not as an exit code.
      expect(stderr).not.toContain('AuthentikEvents');
      const events = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Array<
        Record<string, unknown>
      >;
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
