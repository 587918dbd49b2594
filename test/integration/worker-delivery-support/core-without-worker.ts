import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Core = typeof import('@authentik-events/core');

const CORE_DIR = fileURLToPath(new URL('../../../packages/core/', import.meta.url));

export interface CoreCopy {
  dir: string;
  /** Where the copy's client looks for its worker (the file that is not there). */
  workerUrl: string;
  importEsm(): Promise<Core>;
  requireCjs(): Core;
  remove(): void;
}

/**
 * The built core as a bundler might leave it: dist/'s modules (and their source maps) without
 * delivery-worker.*. The copy sits inside packages/core so that its bare imports (undici, zod)
 * resolve as dist/'s do, and under its package.json ("type": "module") so that .js is ESM and
 * .cjs CommonJS.
 */
export function copyCoreWithoutWorker(): CoreCopy {
  const dist = join(CORE_DIR, 'dist');
  const dir = mkdtempSync(join(CORE_DIR, '.test-no-worker-'));
  for (const file of readdirSync(dist)) {
    if (/\.c?js(\.map)?$/.test(file)) copyFileSync(join(dist, file), join(dir, file));
  }
  for (const file of readdirSync(dir)) {
    if (file.startsWith('delivery-worker.')) rmSync(join(dir, file));
  }
  return {
    dir,
    workerUrl: pathToFileURL(join(dir, 'delivery-worker.js')).href,
    importEsm: () => import(pathToFileURL(join(dir, 'index.js')).href) as Promise<Core>,
    requireCjs: () => createRequire(import.meta.url)(join(dir, 'index.cjs')) as Core,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
