import { createEventClient } from '@authentik-events/core';
import { describe, expect, it } from 'vitest';
import { LOGIN_PASSWORD } from './harness/routes.js';
import { APP_NAME, afterThisTest, sendExpecting, startScenario } from './harness/scenario.js';
import { type AppHandle, FRAMEWORKS } from './harness/types.js';

// Nothing leaves the queue on its own during these tests: only shutdown (or close) sends it.
const HOLD = { flushIntervalMs: 60_000, batchSize: 1000 };

/** Three requests that make five events: three request events, a login and an order. */
async function makeFiveEvents(app: AppHandle): Promise<void> {
  await sendExpecting(app, 200, { path: '/hello' });
  await sendExpecting(app, 200, {
    method: 'POST',
    path: '/login',
    json: { username: 'jane', password: LOGIN_PASSWORD },
  });
  await sendExpecting(app, 201, { method: 'POST', path: '/orders' });
  await expect.poll(() => app.client.stats().queued).toBe(5);
}

describe.each(FRAMEWORKS)('%s: shutdown', (framework) => {
  it('delivers everything queued when the app shuts down with a client the adapter owns', async () => {
    const { fake, app } = await startScenario(framework, { events: HOLD });
    await makeFiveEvents(app);
    expect(fake.events).toHaveLength(0);

    await app.shutdown();

    expect(app.client.closed).toBe(true);
    expect(fake.events.map((event) => event.context.custom_action ?? event.action).sort()).toEqual([
      'http_request',
      'http_request',
      'http_request',
      'login',
      'order_placed',
    ]);
    expect(app.client.stats()).toMatchObject({ emitted: 5, delivered: 5, queued: 0, inFlight: 0 });
  });

  it('leaves a shared client open and its events queued for its owner to send', async () => {
    const { fake, app } = await startScenario(framework, {
      events: (fake) => {
        const client = createEventClient({
          url: fake.url,
          token: fake.token,
          app: APP_NAME,
          ...HOLD,
        });
        afterThisTest(() => client.close({ timeoutMs: 1000 }));
        return { client };
      },
    });
    await makeFiveEvents(app);

    await app.shutdown();

    expect(app.client.closed).toBe(false);
    expect(app.client.stats()).toMatchObject({ emitted: 5, queued: 5, delivered: 0 });
    expect(fake.events).toHaveLength(0);
    const report = await app.client.close();
    expect(report).toMatchObject({ delivered: 5, pending: 0, complete: true });
    expect(fake.events).toHaveLength(5);
  });
});
