import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's files: served as they are, no build step. */
const FILES = {
  '/': { name: 'event-page.html', type: 'text/html; charset=utf-8' },
  '/_fake/event-page.css': { name: 'event-page.css', type: 'text/css; charset=utf-8' },
  '/_fake/event-page.js': { name: 'event-page.js', type: 'text/javascript; charset=utf-8' },
  '/_fake/event-rows.js': { name: 'event-rows.js', type: 'text/javascript; charset=utf-8' },
  '/_fake/icon.svg': { name: 'icon.svg', type: 'image/svg+xml' },
} as const;

export type AssetPath = keyof typeof FILES;

export interface Asset {
  type: string;
  body: Buffer;
}

export function isAssetPath(path: string): path is AssetPath {
  return Object.hasOwn(FILES, path);
}

/**
 * The package's `page/` folder. This module runs from `dist/` once built and from
 * `src/event-page/` in the package's own tests, so the folder is looked for a few levels up.
 */
function findPageDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 3; level++) {
    const candidate = join(dir, 'page');
    if (existsSync(join(candidate, FILES['/'].name))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

let cache: Map<AssetPath, Asset> | undefined;

/** The page's files, read once (they do not change while the fake runs); throws when missing. */
export function readAsset(path: AssetPath): Asset {
  if (!cache) {
    const dir = findPageDir();
    if (!dir) {
      throw new Error(
        'the event page files are missing (the page/ folder of @authentik-events/testing)',
      );
    }
    cache = new Map(
      Object.entries(FILES).map(([key, file]) => [
        key as AssetPath,
        { type: file.type, body: readFileSync(join(dir, file.name)) },
      ]),
    );
  }
  return cache.get(path) as Asset;
}
