import { describe, expect, it } from 'vitest';
import { startFake } from './helpers.js';
import { runModule } from './worker-delivery-support/run-child.js';

// Creates a client, emits, never closes. A timer keeps the script alive until the sender is busy
// retrying (at least 300 ms; the delivery worker takes a moment to start on a loaded machine, so
// it polls for up to 5 s), then prints what it saw; after that only the client is left.
const CHILD = `
import { createEventClient } from '@authentik-events/core';
const client = createEventClient({
  app: 'exit-test',
  flushIntervalMs: 20,
  requestTimeoutMs: 200,
  retry: { minDelayMs: 10, maxDelayMs: 200 },
});
let accepted = 0;
for (let i = 0; i < 5; i++) if (client.emit({ action: 'custom_step', context: { i } })) accepted++;
const startedAt = Date.now();
const report = () => {
  const { inFlight, retried } = client.stats();
  if (retried === 0 && Date.now() - startedAt < 5000) return setTimeout(report, 20);
  console.log(JSON.stringify({ accepted, inFlight, retried }));
};
setTimeout(report, 300);
`;

const runChild = (env: Record<string, string>) => runModule(CHILD, env);
/** What a process that ends with events undelivered says on stderr. */
const NOT_DELIVERED = /the process exited with 5 events not delivered to authentik/;

// A script (a CLI, a cron job) that emits and simply ends, without close() and without any
// timer of its own: its event loop runs empty at once.
const SCRIPT = `
import { createEventClient } from '@authentik-events/core';
const client = createEventClient({ app: 'exit-test', requestTimeoutMs: 1000, retry: { minDelayMs: 10, maxDelayMs: 100 } });
for (let i = 0; i < 5; i++) client.emit({ action: 'custom_step', context: { i } });
process.on('exit', () => console.log(JSON.stringify(client.stats())));
`;

describe('a short-lived process delivers its events without close(), or says on stderr what it could not', () => {
  it('a script that emits and ends delivers every event before it exits', async () => {
    const fake = await startFake();
    const result = await runModule(SCRIPT, {
      AUTHENTIK_URL: fake.url,
      AUTHENTIK_TOKEN: fake.token,
    });

    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(fake.events).toHaveLength(5);
    expect(JSON.parse(result.stdout)).toMatchObject({
      emitted: 5,
      delivered: 5,
      queued: 0,
      inFlight: 0,
    });
  });

  it('with authentik down it ends within its exit budget and says how many events were lost', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const result = await runModule(SCRIPT, {
      AUTHENTIK_URL: fake.url,
      AUTHENTIK_TOKEN: fake.token,
    });

    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toMatch(NOT_DELIVERED);
    expect(result.stderr).toContain('call close()');
    // A safety net of the runner is 15 s; the exit budget is 5 s.
    expect(result.elapsedMs).toBeLessThan(14_000);
  });
});

describe('the client does not keep the process alive', () => {
  it('exits by itself while retrying against a server that is down', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const result = await runChild({ AUTHENTIK_URL: fake.url, AUTHENTIK_TOKEN: fake.token });

    expect(result.stderr).toMatch(NOT_DELIVERED);
    expect(result).toMatchObject({ code: 0, signal: null });
    const seen = JSON.parse(result.stdout) as {
      accepted: number;
      inFlight: number;
      retried: number;
    };
    // The sender was busy (events in flight, attempts retried) when the script's work ended.
    expect(seen.accepted).toBe(5);
    expect(seen.inFlight).toBeGreaterThan(0);
    expect(seen.retried).toBeGreaterThan(0);
    console.info(`child exited after ${result.elapsedMs} ms (server down)`);
  });

  // An open request holds the process like any socket, but only until requestTimeoutMs (200 ms
  // in the child); the retries that follow wait on unref'd timers.
  it('exits by itself once its requests to a server that never answers have timed out', async () => {
    const fake = await startFake();
    fake.faults.latency(60_000);
    const result = await runChild({ AUTHENTIK_URL: fake.url, AUTHENTIK_TOKEN: fake.token });

    expect(result.stderr).toMatch(NOT_DELIVERED);
    expect(result).toMatchObject({ code: 0, signal: null });
    const seen = JSON.parse(result.stdout) as { accepted: number; inFlight: number };
    expect(seen.accepted).toBe(5);
    expect(seen.inFlight).toBeGreaterThan(0);
    console.info(`child exited after ${result.elapsedMs} ms (server hanging)`);
  });
});
