import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LOAD_CHILD = fileURLToPath(new URL('./load-child.mjs', import.meta.url));

export interface LoadOptions {
  /** The app's base URL. */
  url: string;
  durationMs: number;
  /** Keep-alive connections. @default 4 */
  connections?: number;
  /** Requests per second in total; 0 sends as fast as the app answers. @default 0 */
  rate?: number;
  /** Paths requested in turn. @default ['/'] */
  paths?: string[];
}

/** What the load process measured; `sent` counts every request it started (all were awaited). */
export interface LoadResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  firstErrors: string[];
  elapsedMs: number;
  meanMs: number;
  p99Ms: number;
  maxMs: number;
}

export interface RunningLoad {
  /** Resolves with the load process's report once it has sent its last request and exited. */
  done: Promise<LoadResult>;
}

/**
 * Puts the app under load from a second node process and resolves once that process has sent
 * its first request, so a test can time its faults against the load.
 */
export async function startLoad(options: LoadOptions): Promise<RunningLoad> {
  const child = spawn(process.execPath, [LOAD_CHILD, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('STARTED\n')) markStarted();
  });
  const done = new Promise<LoadResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      markStarted();
      const line = stdout.split('\n').find((text) => text.startsWith('{'));
      if (code !== 0 || line === undefined) {
        reject(new Error(`load process exited with ${code}: ${stderr.slice(0, 2000)}`));
        return;
      }
      resolve(JSON.parse(line) as LoadResult);
    });
  });
  // Attach a handler now: a failure before the test awaits `done` must not be unhandled.
  done.catch(() => {});
  await started;
  return { done };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
