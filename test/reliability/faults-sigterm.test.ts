import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientStats, DeliveryReport } from '@authentik-events/core';
import { type FakeAuthentik, startFakeAuthentik } from '@authentik-events/testing';
import { afterEach, expect, it } from 'vitest';
import { copiesById, identityHolds, printSummary, sumDropped } from './support/accounting.js';
import { sleep } from './support/run-load.js';

const SIGTERM_APP = fileURLToPath(new URL('./support/sigterm-app.mjs', import.meta.url));
/** The app's close deadline (in sigterm-app.mjs) plus a margin for a busy machine. */
const EXIT_DEADLINE_MS = 6000;

let child: ChildProcess | undefined;
let fake: FakeAuthentik | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fake?.close();
});

interface CloseOutput {
  before: ClientStats;
  report: DeliveryReport;
  after: ClientStats;
}

async function getAll(url: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(url);
    await response.text();
    statuses.push(response.status);
  }
  return statuses;
}

// Scenario 6. issue: an outage that never ends, then SIGTERM; here 20 events delivered, the
// fake taken down for good, 30 more requests, then SIGTERM to an app that closes with 2 s.
it('exits by its close deadline on SIGTERM during an endless outage, with an exact report', async () => {
  fake = await startFakeAuthentik({ quiet: true });
  const app = spawn(
    process.execPath,
    [SIGTERM_APP, JSON.stringify({ url: fake.url, token: fake.token })],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child = app;
  let stdout = '';
  app.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
  const ready = /READY (\S+)/;
  while (!ready.test(stdout)) {
    if (app.exitCode !== null) throw new Error(`the app exited early: ${stdout}`);
    await sleep(20);
  }
  const appUrl = (ready.exec(stdout) as RegExpExecArray)[1] as string;

  expect(await getAll(appUrl, 20)).toEqual(Array(20).fill(200));
  await fake.waitForEvents(20);
  await fake.faults.down();
  expect(await getAll(appUrl, 30)).toEqual(Array(30).fill(200));
  // Let the sender fail a few times, so events are both queued and in flight at the signal.
  await sleep(300);

  const signalledAt = Date.now();
  app.kill('SIGTERM');
  const code = await Promise.race([exited, sleep(EXIT_DEADLINE_MS + 5000).then(() => 'hung')]);
  const exitMs = Date.now() - signalledAt;
  expect(code).toBe(0);
  expect(exitMs).toBeLessThan(EXIT_DEADLINE_MS);

  const line = stdout.split('\n').find((text) => text.startsWith('{'));
  const { before, report, after } = JSON.parse(line as string) as CloseOutput;
  const pending = before.queued + before.inFlight;
  const stored = copiesById(fake.events).size;
  printSummary(
    '6 endless outage + SIGTERM',
    {
      emitted: after.emitted,
      stored,
      duplicates: fake.events.length - stored,
      dropped: Object.fromEntries(Object.entries(after.dropped).filter(([, n]) => n > 0)),
    },
    { pendingAtSignal: pending, closeMs: report.durationMs, exitMs },
  );
  expect(before.emitted).toBe(50);
  expect(before.delivered).toBe(20);
  expect(pending).toBe(30);
  // The report says exactly what the close did: nothing could be delivered, everything
  // pending was dropped as `closed`, and nothing is left.
  expect(report).toMatchObject({ delivered: 0, pending: 0, complete: false });
  expect(report.dropped.closed).toBe(pending);
  expect(sumDropped({ ...after, dropped: report.dropped })).toBe(pending);
  expect(report.durationMs).toBeGreaterThanOrEqual(1900);
  expect(after).toMatchObject({
    emitted: 50,
    queued: 0,
    inFlight: 0,
    queuedBytes: 0,
    delivered: 20,
  });
  expect(after.dropped.closed).toBe(30);
  expect(identityHolds(after)).toBe(true);
  expect(fake.events).toHaveLength(20);
  expect(stored).toBe(20);
});
