import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { NEST_PLATFORMS } from './harness/nest-module-app.js';
import { afterThisTest } from './harness/scenario.js';

const APP = fileURLToPath(new URL('./harness/nest-sigterm-app.mjs', import.meta.url));

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe.each(NEST_PLATFORMS)('NestJS on %s: enableShutdownHooks', (platform) => {
  it('SIGTERM flushes what is queued before the process ends', async () => {
    const fake = await startFakeAuthentik({ quiet: true });
    afterThisTest(() => fake.close());
    const app = spawn(
      process.execPath,
      [APP, platform, JSON.stringify({ url: fake.url, token: fake.token })],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = app;
    let output = '';
    app.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    app.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      app.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const baseUrl = await new Promise<string>((resolve, reject) => {
      app.stdout?.on('data', () => {
        const ready = /READY (\S+)/.exec(output);
        if (ready) resolve(ready[1] as string);
      });
      ended.then(() => reject(new Error(`the app ended before it was ready: ${output}`)));
    });

    for (let i = 0; i < 3; i++) expect((await fetch(`${baseUrl}/orders`)).status).toBe(200);
    // Six events wait in the queue (a minute's flush interval): nothing has arrived yet.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.events).toHaveLength(0);

    app.kill('SIGTERM');
    const exit = await ended;
    // Nest closes the application, then ends the process by the same signal.
    expect(exit.signal ?? exit.code).toBe('SIGTERM');
    expect(output).not.toMatch(/Error/);
    expect(fake.events.map((event) => event.context.custom_action).sort()).toEqual([
      'http_request',
      'http_request',
      'http_request',
      'order_placed',
      'order_placed',
      'order_placed',
    ]);
  });
});
