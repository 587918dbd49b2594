import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runNode } from './run-node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Reads a server-sent event stream until `enough` says so; the frames' data lines. */
async function readStream(url: string, enough: (data: string[]) => boolean): Promise<string[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const data = text
        .split('\n\n')
        .filter((frame) => frame.startsWith('data: '))
        .map((frame) => frame.slice('data: '.length));
      if (enough(data)) return data;
    }
  } finally {
    await reader.cancel();
  }
  throw new Error(`the stream ended early: ${text}`);
}

describe('npm start -- --watch', () => {
  it('keeps the fake and the app up after the session, prints the page, shows new events live, stops on SIGTERM', async () => {
    const env = { ...process.env };
    for (const name of ['AUTHENTIK_URL', 'AUTHENTIK_TOKEN', 'AUTHENTIK_APP', 'EXAMPLE'])
      delete env[name];
    child = spawn(process.execPath, ['scripts/start.mjs', 'koa', '--watch'], {
      cwd: ROOT,
      env,
      stdio: 'pipe',
    });
    const proc = child;
    let stdout = '';
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const addresses = await new Promise<{ page: string; app: string }>((resolve, reject) => {
      proc.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const page = /^ {2}event page: {2}(\S+)$/m.exec(stdout)?.[1];
        const app = /^ {2}example app: (\S+)$/m.exec(stdout)?.[1];
        if (page && app) resolve({ page, app });
      });
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
    });
    expect(stdout).toContain('OK: all 10 events as expected');
    expect(stdout).toContain('watching (Ctrl-C to stop):');
    expect(addresses.page).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(addresses.page);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Event log · authentik-events-fake</title>');
    const backlog = await readStream(`${addresses.page}_fake/stream`, (data) => data.length >= 10);
    expect(backlog).toHaveLength(10);

    // The app still records: a new request's event reaches the page while it is open.
    const live = readStream(`${addresses.page}_fake/stream`, (data) =>
      data.some(
        (line) =>
          line.includes('"path":"/account"') &&
          line.includes('"status":401') &&
          line.includes('watch-check'),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answer = await fetch(`${addresses.app}/account?from=watch-check`);
    expect(answer.status).toBe(401);
    await answer.text();
    await live;

    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('SIGTERM: closing the example app and flushing its events');
    expect(stderr).toBe('');
  });

  it('refuses an option it does not know', async () => {
    const run = await runNode(ROOT, ['scripts/start.mjs', '--wacth']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown option "--wacth": the only option is --watch');
  });
});
