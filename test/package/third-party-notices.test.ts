import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the repository's scripts, without types
import * as notices from '../../scripts/lib/third-party-notices.mjs';

interface NoticesModule {
  NOTICES_FILE: string;
  noticesFor(packageDir: string): string | undefined;
  bundledPackages(packageDir: string): string[];
  publishedPackageDirs(root: string): string[];
}
const { NOTICES_FILE, noticesFor, bundledPackages, publishedPackageDirs } =
  notices as NoticesModule;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = publishedPackageDirs(ROOT);
const temporary: string[] = [];

afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

describe('the licences of bundled code (THIRD-PARTY-NOTICES)', () => {
  it('finds the published packages', () => {
    expect(dirs.map((dir) => basename(dir))).toEqual(
      expect.arrayContaining(['core', 'express', 'fastify', 'koa', 'testing']),
    );
  });

  it('reads what the core bundles from its source maps: what tsup.config.ts leaves in', () => {
    const core = join(ROOT, 'packages', 'core');
    // The retry loop is the core's own since the adaptive limit (no p-retry): tsup's CommonJS shim is left.
    expect(bundledPackages(core).map((dir) => basename(dir))).toEqual(['tsup']);
  });

  it.each(dirs.map((dir) => [basename(dir), dir]))(
    '%s: the committed notices match what dist/ bundles, and "files" publishes them',
    async (_name, dir) => {
      const wanted = noticesFor(dir);
      const file = join(dir, NOTICES_FILE);
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      if (wanted === undefined) {
        expect(existsSync(file), 'a notices file for a package that bundles nothing').toBe(false);
        expect(manifest.files).not.toContain(NOTICES_FILE);
        return;
      }
      expect(await readFile(file, 'utf8'), 'out of date: run `npm run notices`').toBe(wanted);
      expect(manifest.files).toContain(NOTICES_FILE);
    },
  );

  it('refuses to write notices for a bundled package that ships no licence file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'notices-'));
    temporary.push(root);
    const unlicensed = join(root, 'node_modules', '@scope', 'unlicensed');
    await mkdir(unlicensed, { recursive: true });
    await writeFile(
      join(unlicensed, 'package.json'),
      JSON.stringify({ name: '@scope/unlicensed', license: 'MIT' }),
    );
    const pkg = join(root, 'packages', 'demo');
    await mkdir(join(pkg, 'dist'), { recursive: true });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'demo' }));
    await writeFile(
      join(pkg, 'dist', 'index.js.map'),
      JSON.stringify({
        sources: ['../src/index.ts', '../../../node_modules/@scope/unlicensed/x.js'],
      }),
    );
    expect(bundledPackages(pkg)).toEqual([unlicensed]);
    expect(() => noticesFor(pkg)).toThrow(
      '@scope/unlicensed is bundled but ships no licence file: add its licence by hand',
    );
  });
});
