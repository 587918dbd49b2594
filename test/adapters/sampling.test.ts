import { CallbackError, ConfigError } from '@authentik-events/core';
import { authentikEvents as expressEvents } from '@authentik-events/express';
import { authentikEvents as fastifyEvents } from '@authentik-events/fastify';
import { authentikEvents as koaEvents } from '@authentik-events/koa';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { type Scenario, sendExpecting, settled, startScenario } from './harness/scenario.js';
import { type EventsOptions, FRAMEWORKS } from './harness/types.js';

const pathOf = (event: { context: Record<string, unknown> }) =>
  (event.context.http_request as { path: string }).path;

/** The URL the framework's request object holds (Express `req`, Koa `ctx`, Fastify `request`). */
/** The path a sample function sees: Node's `url` (Express, Koa, Fastify, Nest), or Hono's `c.req.path`. */
const urlOf = (request: unknown) => {
  const hono = (request as { req?: { path?: unknown } }).req;
  if (typeof hono?.path === 'string') return hono.path;
  return String((request as { url?: unknown }).url);
};

async function sendMany(scenario: Scenario, count: number, path = '/hello'): Promise<void> {
  for (let i = 0; i < count; i++)
    await sendExpecting(scenario.app, 200, { path: `${path}?n=${i}` });
}

describe.each(FRAMEWORKS)('%s: sampling request logs (autoLog.sample)', (framework) => {
  it('a request left out is no event, counted as sampledOut; audit events are never sampled', async () => {
    const scenario = await startScenario(framework, { events: { autoLog: { sample: 0 } } });
    await sendMany(scenario, 5);
    await sendExpecting(scenario.app, 201, { method: 'POST', path: '/orders' });
    await sendExpecting(scenario.app, 500, { path: '/boom' });
    const events = await settled(scenario, 2);
    expect(events.map((e) => e.context.custom_action ?? e.action).sort()).toEqual([
      'order_placed',
      'system_exception',
    ]);
    const stats = scenario.app.client.stats();
    // Not emitted, not dropped: a drop alert stays quiet.
    expect(stats).toMatchObject({ emitted: 2, delivered: 2, sampledOut: 7 });
    expect(Object.values(stats.dropped).every((count) => count === 0)).toBe(true);
    expect(scenario.errors).toEqual([]);
  });

  it('sample: 0.5 records about half, and every request is either recorded or counted', async () => {
    const scenario = await startScenario(framework, { events: { autoLog: { sample: 0.5 } } });
    const requests = 60;
    await sendMany(scenario, requests);
    await scenario.app.client.flush({ timeoutMs: 5000 });
    const { emitted, delivered, sampledOut } = scenario.app.client.stats();
    expect(delivered).toBe(emitted);
    expect(emitted + sampledOut).toBe(requests);
    expect(scenario.fake.events).toHaveLength(emitted);
    // Binomial(60, 0.5): mean 30, standard deviation 3.9; outside 10..50 is 5 deviations away.
    expect(emitted).toBeGreaterThanOrEqual(10);
    expect(emitted).toBeLessThanOrEqual(50);
  });

  it('a function of the request decides per request: true/false or a share', async () => {
    const sample = (request: unknown) => (urlOf(request).startsWith('/hello') ? false : 1);
    const scenario = await startScenario(framework, { events: { autoLog: { sample } } });
    await sendMany(scenario, 3, '/hello');
    await sendMany(scenario, 2, '/me');
    const events = await settled(scenario, 2);
    expect(events.map(pathOf)).toEqual(['/me', '/me']);
    expect(scenario.app.client.stats()).toMatchObject({ emitted: 2, sampledOut: 3 });
  });

  const BROKEN: Array<[string, (request: unknown) => unknown, RegExp]> = [
    [
      'throws',
      () => {
        throw new Error('sampler offline');
      },
      /threw: Error: sampler offline/,
    ],
    [
      'returns a string',
      () => 'yes',
      /returned string, expected true, false or a number from 0 to 1/,
    ],
    ['returns NaN', () => Number.NaN, /returned NaN/],
    ['returns 2', () => 2, /returned 2/],
    ['returns a Promise', async () => false, /returned a Promise/],
  ];
  it.each(BROKEN)(
    'a sampler that %s: every request recorded, reported once',
    async (_name, sample, message) => {
      const scenario = await startScenario(framework, {
        events: { autoLog: { sample } } as EventsOptions,
      });
      await sendMany(scenario, 3);
      const events = await settled(scenario, 3);
      expect(events).toHaveLength(3);
      expect(scenario.app.client.stats()).toMatchObject({ emitted: 3, sampledOut: 0 });
      expect(scenario.errors).toHaveLength(1);
      const [error] = scenario.errors;
      expect(error).toBeInstanceOf(CallbackError);
      expect((error as CallbackError).callback).toBe('autoLog.sample');
      expect(error?.message).toMatch(message);
      expect(error?.message).toContain('the request is recorded');
    },
  );
});

describe('autoLog.sample: a wrong value is a ConfigError that names it', () => {
  const options = (autoLog: unknown) => ({
    url: 'https://auth.example.com',
    token: 'sampling-test-token-123',
    app: 'sampling',
    autoLog,
  });
  const CASES: Array<[unknown, string, RegExp]> = [
    [{ sample: 2 }, 'autoLog.sample', /a number from 0 to 1/],
    [{ sample: -0.1 }, 'autoLog.sample', /a number from 0 to 1/],
    [{ sample: 'half' }, 'autoLog.sample', /a number from 0 to 1.*or a function/],
    [{ sampel: 0.1 }, 'autoLog.sampel', /did you mean "autoLog.sample"/],
    ['sometimes', 'autoLog', /true, false or \{ sample \}/],
  ];
  it.each(CASES)('autoLog: %j', async (autoLog, option, message) => {
    for (const make of [expressEvents, koaEvents]) {
      let error: unknown;
      try {
        make(options(autoLog) as never);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe(option);
      expect((error as ConfigError).message).toMatch(message);
    }
    const app = Fastify();
    await expect(app.register(fastifyEvents, options(autoLog) as never)).rejects.toMatchObject({
      option,
    });
    await app.close();
  });
});
