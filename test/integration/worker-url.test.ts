import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { FakeAuthentik } from '@authentik-events/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_DROPS, startFake } from './helpers.js';
import { canSeeThreadPriorities } from './worker-delivery-support/threads.js';
import { type Bundle, bundleApp } from './worker-url-support/bundle.js';

// A bundled app (esbuild puts the core into the app's one file) ships the delivery worker as a
// second entry point of its build and names it with `workerUrl`: the worker delivers, not the
// app's event loop. A workerUrl that does not lead to this version's worker (missing, throwing,
// some other file, the app itself, another version's worker) costs nothing but the worker:
// delivery falls back to the app's event loop, says why once, and loses nothing.

const run = promisify(execFile);
const EVENTS = 5;
const WORKER_ERROR = 'ERR_AUTHENTIK_EVENTS_WORKER';
const FALLBACK =
  ": delivering on the app's event loop instead (set delivery: 'in-process' to choose that)";

interface AppResult {
  delivered: number;
  pending: number;
  complete: boolean;
  stats: { emitted: number; delivered: number; queued: number; inFlight: number; dropped: object };
  errors: Array<{ code: string; message: string }>;
  lowPriorityThreads: number | null;
}

async function runBundled(
  bundle: Bundle,
  fake: FakeAuthentik,
  workerUrl?: string,
): Promise<AppResult> {
  const args = [bundle.app, String(EVENTS), ...(workerUrl ? [workerUrl] : [])];
  const { stdout, stderr } = await run(process.execPath, args, {
    cwd: bundle.dir,
    timeout: 60_000,
    env: { ...process.env, AUTHENTIK_URL: fake.url, AUTHENTIK_TOKEN: fake.token },
  });
  // Nothing for the app's stderr: not a crash, not a warning (onError took every report).
  expect(stderr).toBe('');
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as AppResult;
}

/** Every event delivered, and the books balance: nothing lost to the worker's trouble. */
function expectAllDelivered(result: AppResult, fake: FakeAuthentik): void {
  expect(result).toMatchObject({ delivered: EVENTS, pending: 0, complete: true });
  expect(result.stats).toMatchObject({
    emitted: EVENTS,
    delivered: EVENTS,
    queued: 0,
    inFlight: 0,
    dropped: NO_DROPS,
  });
  expect(fake.events.map((event) => event.context.i).sort()).toEqual([...Array(EVENTS).keys()]);
  expect(fake.events.every((event) => event.app === 'bundled-app')).toBe(true);
}

/** Delivered from the app's event loop, with the one report that says why. */
function expectFallback(result: AppResult, fake: FakeAuthentik, reason: string): void {
  expectAllDelivered(result, fake);
  expect(result.errors).toEqual([{ code: WORKER_ERROR, message: `${reason}${FALLBACK}` }]);
  if (canSeeThreadPriorities) expect(result.lowPriorityThreads).toBe(0);
}

describe.each(['cjs', 'esm'] as const)('an app bundled by esbuild as %s', (format) => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await bundleApp(format);
  }, 60_000);
  afterAll(() => bundle?.remove());

  it('delivers from the worker it ships, named by workerUrl (a path, or a file: URL)', async () => {
    for (const workerUrl of [bundle.worker, pathToFileURL(bundle.worker).href]) {
      const fake = await startFake();
      const result = await runBundled(bundle, fake, workerUrl);
      expectAllDelivered(result, fake);
      expect(result.errors).toEqual([]);
      // The background worker's thread, at the lowest priority, is the one that sent them.
      if (canSeeThreadPriorities) expect(result.lowPriorityThreads).toBe(1);
    }
  });

  it('without workerUrl, falls back to its own event loop and says how to fix it', async () => {
    const fake = await startFake();
    const result = await runBundled(bundle, fake);
    expectFallback(
      result,
      fake,
      format === 'cjs'
        ? // A CommonJS bundle of the ESM build has no import.meta.url to look beside.
          "the delivery worker's file cannot be found: this code was bundled without import.meta.url; give the worker file your build ships as workerUrl"
        : // An ESM bundle looks beside itself, for the package's name of the file.
          `the delivery worker ${pathToFileURL(join(bundle.dir, 'delivery-worker.js')).href} is not there (a bundled app? give the worker file your build ships as workerUrl)`,
    );
  });
});

describe('a workerUrl that does not lead to the delivery worker of this version', () => {
  let bundle: Bundle;
  beforeAll(async () => {
    bundle = await bundleApp('cjs');
  }, 60_000);
  afterAll(() => bundle?.remove());

  /** A file of `source` beside the bundle; returns its path. */
  const file = (name: string, source: string) => {
    const path = join(bundle.dir, name);
    writeFileSync(path, source);
    return path;
  };
  const named = (path: string) => `the delivery worker ${pathToFileURL(path).href} (workerUrl)`;

  it('a file that does not exist', async () => {
    const fake = await startFake();
    const missing = join(bundle.dir, 'no-such-worker.js');
    expectFallback(await runBundled(bundle, fake, missing), fake, `${named(missing)} is not there`);
  });

  it('a file that throws as it loads', async () => {
    const fake = await startFake();
    const path = file('throws.js', "throw new Error('this file cannot load');\n");
    expectFallback(
      await runBundled(bundle, fake, path),
      fake,
      `${named(path)} failed to start: this file cannot load`,
    );
  });

  it('a file that is not JavaScript', async () => {
    const fake = await startFake();
    const path = file('readme.js', '# Not a script\n\nJust some words.\n');
    const result = await runBundled(bundle, fake, path);
    expectAllDelivered(result, fake);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.code).toBe(WORKER_ERROR);
    expect(result.errors[0]?.message).toMatch(
      new RegExp(
        `^${escapeRegExp(named(path))} failed to start: .*(SyntaxError|Invalid or unexpected token|Unexpected)`,
      ),
    );
  });

  it('some other script, which ends without a word', async () => {
    const fake = await startFake();
    const path = file('other.js', 'module.exports = { answer: 42 };\n');
    expectFallback(
      await runBundled(bundle, fake, path),
      fake,
      `${named(path)} failed to start: it ended without saying it was ready (exit code 0)`,
    );
  });

  it('the app itself: its copy in the worker thread is stopped before it starts a worker of its own', async () => {
    const fake = await startFake();
    expectFallback(
      await runBundled(bundle, fake, bundle.app),
      fake,
      `${named(bundle.app)} failed to start: @authentik-events: option "workerUrl" points at code that creates an authentik-events client (the app itself?), not at the delivery worker: point it at the file your build makes from @authentik-events/core/delivery-worker`,
    );
    // The copy in the worker thread made no client that sent anything: only the app's events.
    expect(fake.events).toHaveLength(EVENTS);
  });

  it('the delivery worker of another version (a file copied once and never updated)', async () => {
    const fake = await startFake();
    const path = join(bundle.dir, 'old-delivery-worker.js');
    const source = readFileSync(bundle.worker, 'utf8');
    const { version } = JSON.parse(
      readFileSync(new URL('../../packages/core/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const marker = `var VERSION = "${version}";`;
    expect(source).toContain(marker);
    writeFileSync(path, source.replace(marker, 'var VERSION = "0.0.1";'));
    expectFallback(
      await runBundled(bundle, fake, path),
      fake,
      `${named(path)} failed to start: it is the delivery worker of @authentik-events/core 0.0.1, not of ${version}: use the file of the version the app runs`,
    );
  });

  it('the worker file copied without what it imports (the package build, outside node_modules)', async () => {
    const fake = await startFake();
    const path = join(bundle.dir, 'unbundled-worker.js');
    copyFileSync(new URL('../../packages/core/dist/delivery-worker.cjs', import.meta.url), path);
    const result = await runBundled(bundle, fake, path);
    expectAllDelivered(result, fake);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.message).toMatch(
      new RegExp(`^${escapeRegExp(named(path))} failed to start: Cannot find module 'undici'`),
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
