import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../src/cli-args.js';
import { runCli } from '../src/cli-main.js';
import type { FakeAuthentik } from '../src/index.js';
import { postEvent, valid } from './helpers.js';

const running: FakeAuthentik[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.close()));
});

describe('parseCliArgs', () => {
  it('has defaults', () => {
    expect(parseCliArgs([])).toEqual({
      port: 9000,
      host: '127.0.0.1',
      token: undefined,
      rateLimit: undefined,
      latency: undefined,
      capacity: undefined,
      printEvents: false,
      quiet: false,
      page: undefined,
      help: false,
    });
  });

  it('reads every option', () => {
    const argv = ['--port', '0', '--host', '0.0.0.0', '--token', 't', '--rate-limit', '50'];
    expect(parseCliArgs([...argv, '--latency=20', '--print-events', '--quiet'])).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      token: 't',
      rateLimit: 50,
      latency: 20,
      printEvents: true,
      quiet: true,
    });
  });

  it('reads --page and --no-page, and refuses both at once', () => {
    expect(parseCliArgs(['--page']).page).toBe(true);
    expect(parseCliArgs(['--no-page']).page).toBe(false);
    expect(() => parseCliArgs(['--page', '--no-page'])).toThrow('--page and --no-page contradict');
  });

  it('reads --capacity as <workers>x<serviceMs>[+<queue>]', () => {
    expect(parseCliArgs(['--capacity', '16x5+8']).capacity).toEqual({
      workers: 16,
      serviceMs: 5,
      queue: 8,
    });
    expect(parseCliArgs(['--capacity=4x2.5ms']).capacity).toEqual({
      workers: 4,
      serviceMs: 2.5,
      queue: 0,
    });
  });

  it.each([
    ['--capacity', '0x5'],
    ['--capacity', '16'],
    ['--capacity', '16x'],
    ['--capacity', 'x5'],
    ['--capacity', '16x5+'],
    ['--capacity', '16x-5'],
    ['--capacity', '16x5+-1'],
    ['--capacity', '1e9x5'],
  ])('refuses %s %s, saying the form it expects', (...argv) => {
    expect(() => parseCliArgs(argv)).toThrow(
      /--capacity expects <workers>x<serviceMs>\[\+<queue>\]/,
    );
  });

  it.each([
    ['--port', 'x'],
    ['--port', '70000'],
    ['--latency', '-1'],
    ['--rate-limit', '0'],
    ['--nope'],
  ])('refuses %s %s', (...argv) => {
    expect(() => parseCliArgs(argv.filter(Boolean) as string[])).toThrow(CliUsageError);
  });
});

describe('runCli', () => {
  it('prints the listening line with the token, the event page, then READY', async () => {
    const lines: string[] = [];
    const fake = (await runCli(['--port', '0', '--token', 'tok', '--quiet'], (l) =>
      lines.push(l),
    )) as FakeAuthentik;
    running.push(fake);
    expect(lines).toEqual([
      `authentik-events-fake listening on ${fake.url} token=tok`,
      `event page: ${fake.url}/ (live, no token needed)`,
      `READY ${fake.url}`,
    ]);
    expect((await fetch(`${fake.url}/`)).status).toBe(200);
  });

  it('--no-page: no page line, and / is the API 404 page again', async () => {
    const lines: string[] = [];
    const fake = (await runCli(['--port', '0', '--token', 'tok', '--no-page'], (l) =>
      lines.push(l),
    )) as FakeAuthentik;
    running.push(fake);
    expect(lines).toEqual([
      `authentik-events-fake listening on ${fake.url} token=tok`,
      `READY ${fake.url}`,
    ]);
    expect(fake.pageUrl).toBeUndefined();
    const answer = await fetch(`${fake.url}/`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).toContain('<h1>Not Found</h1>');
  });

  it('prints each stored event as a JSON line with --print-events', async () => {
    const lines: string[] = [];
    const fake = (await runCli(['--port', '0', '--print-events', '--quiet'], (l) =>
      lines.push(l),
    )) as FakeAuthentik;
    running.push(fake);
    await postEvent(fake, valid());
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3] as string)).toEqual(fake.events[0]);
  });

  it('applies --latency and --rate-limit', async () => {
    const fake = (await runCli(
      ['--port', '0', '--latency', '120', '--rate-limit', '100'],
      () => {},
    )) as FakeAuthentik;
    running.push(fake);
    const t0 = performance.now();
    await postEvent(fake, valid());
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('applies --capacity: one served at a time, none waiting, a 503 for the second at once', async () => {
    const fake = (await runCli(
      ['--port', '0', '--capacity', '1x600', '--quiet'],
      () => {},
    )) as FakeAuthentik;
    running.push(fake);
    const first = postEvent(fake, valid());
    // The first is in service for 600 ms; the second finds no worker and no room to wait.
    while (fake.capacityStats.inService === 0) await new Promise((r) => setTimeout(r, 5));
    expect((await postEvent(fake, valid())).status).toBe(503);
    expect((await first).status).toBe(201);
    expect(fake.capacityStats).toMatchObject({ rejected: 1, served: 1, inService: 0 });
  });

  it('prints usage for --help and starts nothing', async () => {
    const lines: string[] = [];
    expect(await runCli(['--help'], (l) => lines.push(l))).toBeUndefined();
    expect(lines.join('\n')).toMatch(/^Usage: authentik-events-fake/);
  });
});

describe('the built command', () => {
  const packageDir = fileURLToPath(new URL('..', import.meta.url));
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints READY <url> on its own line and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    // The root test script builds first; build here too when run on its own.
    if (!existsSync(cli)) execFileSync('npx', ['tsup'], { cwd: packageDir, stdio: 'ignore' });
    child = spawn(process.execPath, [cli, '--port', '0', '--token', 'abc'], { stdio: 'pipe' });
    const proc = child;
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const ready = /^READY (\S+)$/m.exec(out);
        if (ready) resolve(ready[1] as string);
      });
      proc.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const res = await fetch(`${url}/api/v3/events/events/`, {
      method: 'POST',
      headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json' },
      body: JSON.stringify(valid()),
    });
    expect(res.status).toBe(201);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 2 with the usage on a wrong option', async () => {
    if (!existsSync(cli)) execFileSync('npx', ['tsup'], { cwd: packageDir, stdio: 'ignore' });
    child = spawn(process.execPath, [cli, '--bogus'], { stdio: 'pipe' });
    const proc = child;
    let err = '';
    proc.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/Usage:/);
  });
});
