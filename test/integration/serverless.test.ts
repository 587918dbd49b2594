import { ConfigError, withFlush } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { describe, expect, it } from 'vitest';
import { connect, startFake } from './helpers.js';
import { runModule } from './worker-delivery-support/run-child.js';

// A function platform (AWS Lambda and the like) freezes the process as soon as the handler's
// promise settles; a frozen instance may never run again. Simulated here by the harshest form:
// the process ends (process.exit) the moment the handler resolved, invocation after invocation.
const FROZEN_AFTER_EACH_INVOCATION = `
import { createEventClient, withFlush } from '@authentik-events/core';
const client = createEventClient({ app: 'serverless', delivery: process.env.DELIVERY });
async function handler(event) {
  for (let i = 0; i < event.count; i++)
    client.emit({ action: 'custom_invocation_step', context: { invocation: event.id, i } });
  return { statusCode: 200, body: event.id };
}
const invoke = process.env.WRAP === '1' ? withFlush(client, handler) : handler;
const results = [];
for (const id of ['inv-1', 'inv-2', 'inv-3']) results.push(await invoke({ id, count: 10 }));
console.log(JSON.stringify({ results, stats: client.stats() }));
process.exit(0);
`;

function invoke(fakeUrl: string, token: string, env: Record<string, string>) {
  return runModule(FROZEN_AFTER_EACH_INVOCATION, {
    AUTHENTIK_URL: fakeUrl,
    AUTHENTIK_TOKEN: token,
    ...env,
  });
}

describe('serverless: a process frozen right after the handler resolves', () => {
  it.each(['in-process', 'background'])(
    'withFlush delivers every event of every invocation before the handler resolves (delivery %s)',
    async (delivery) => {
      const fake = await startFake();
      const result = await invoke(fake.url, fake.token, { DELIVERY: delivery, WRAP: '1' });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const { results, stats } = JSON.parse(result.stdout);
      expect(results.map((r: { body: string }) => r.body)).toEqual(['inv-1', 'inv-2', 'inv-3']);
      expect(stats).toMatchObject({ emitted: 30, delivered: 30, queued: 0, inFlight: 0 });
      expect(fake.events).toHaveLength(30);
      const seen = new Set(fake.events.map((e) => `${e.context.invocation}/${e.context.i}`));
      expect(seen.size).toBe(30);
    },
  );

  it('without it, the events of the last invocation are lost, and the process says so', async () => {
    const fake = await startFake();
    const result = await invoke(fake.url, fake.token, { DELIVERY: 'in-process', WRAP: '0' });
    expect(result.code).toBe(0);
    expect(fake.events.length).toBeLessThan(30);
    expect(result.stderr).toMatch(/the process exited with \d+ events not delivered/);
  });
});

describe('withFlush', () => {
  it('passes the result and the error on, after the flush, and keeps `this`', async () => {
    const fake = await startFake();
    const { client } = connect(fake, { flushIntervalMs: 60_000 });
    const wrapped = withFlush(client, async function (this: { id: string }, n: number) {
      client.emit({ action: 'login', context: { n } });
      return `${this.id}:${n}`;
    });
    expect(await wrapped.call({ id: 'ctx' }, 1)).toBe('ctx:1');
    expect(fake.events).toHaveLength(1); // delivered before the wrapped handler resolved
    const failing = withFlush(client, async () => {
      client.emit({ action: 'login_failed' });
      throw new Error('handler failed');
    });
    await expect(failing()).rejects.toThrow('handler failed');
    expect(fake.events).toHaveLength(2);
  });

  it('a slow or unreachable authentik costs the invocation at most timeoutMs', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    await fake.faults.down();
    const wrapped = withFlush(client, async () => client.emit({ action: 'login' }), {
      timeoutMs: 200,
    });
    const startedAt = Date.now();
    expect(await wrapped()).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(client.stats().queued + client.stats().inFlight).toBe(1); // kept for the next invocation
    await fake.faults.up();
  });

  it('takes an adapter middleware (its client), and refuses what it cannot flush', async () => {
    const fake = await startFake();
    const events = expressEvents({ url: fake.url, token: fake.token, app: 'serverless' });
    const wrapped = withFlush(events, async () => events.client.emit({ action: 'login' }));
    await wrapped();
    expect(fake.events).toHaveLength(1);
    await events.close();
    expect(() => withFlush({} as never, async () => 1)).toThrow(ConfigError);
    expect(() => withFlush(events, 'handler' as never)).toThrow(/"handler"/);
    expect(() => withFlush(events, async () => 1, { timeoutMs: -1 })).toThrow(/"timeoutMs"/);
  });
});
