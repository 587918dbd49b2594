import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const APP = fileURLToPath(new URL('./bundled-app.mjs', import.meta.url));

export interface Bundle {
  dir: string;
  app: string;
  worker: string;
  remove(): void;
}

/**
 * Bundles the app, with the core and its dependencies, into a directory outside the repository
 * (no node_modules to fall back on), and the delivery worker beside it as a second entry point,
 * as the README shows. ESM output needs `require` for the CommonJS dependencies (undici) and
 * the .mjs extension.
 */
export async function bundleApp(format: 'esm' | 'cjs'): Promise<Bundle> {
  const dir = mkdtempSync(join(tmpdir(), `authentik-events-bundle-${format}-`));
  const extension = format === 'esm' ? '.mjs' : '.js';
  await build({
    entryPoints: {
      app: APP,
      'delivery-worker': '@authentik-events/core/delivery-worker',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    outdir: dir,
    outExtension: { '.js': extension },
    banner:
      format === 'esm'
        ? {
            // Aliased as users are told to: the bundled code imports `createRequire` too.
            js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
          }
        : undefined,
    logLevel: 'error',
  });
  return {
    dir,
    app: join(dir, `app${extension}`),
    worker: join(dir, `delivery-worker${extension}`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
