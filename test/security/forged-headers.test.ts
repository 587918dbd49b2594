import {
  type FakeAuthentik,
  type StoredEvent,
  startFakeAuthentik,
} from '@authentik-events/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../reliability/support/accounting.js';
import {
  type AppUnderTest,
  FRAMEWORKS,
  type Framework,
  startApp,
} from '../reliability/support/app-under-test.js';

const FORGED = {
  'X-Forwarded-For': '203.0.113.66',
  'X-Real-IP': '203.0.113.77',
  'X-Request-Id': 'forged-request-id',
};

let fake: FakeAuthentik;
beforeAll(async () => {
  fake = await startFakeAuthentik({ quiet: true });
});
afterAll(() => fake.close());
beforeEach(() => fake.clear());

const apps: AppUnderTest[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close(2000)));
});

/** One request with forged headers to an app of `framework`; the event it was recorded as. */
async function recordForged(framework: Framework, trustProxy: boolean): Promise<StoredEvent> {
  const app = await startApp({
    framework,
    trustProxy,
    adapter: { url: fake.url, token: fake.token, app: 'forged-headers', flushIntervalMs: 10 },
  });
  apps.push(app);
  const response = await fetch(app.url, { headers: FORGED });
  expect(response.status).toBe(200);
  await waitUntil(() => app.client.stats().emitted === 1, 'the request was recorded');
  await app.client.flush({ timeoutMs: 5000 });
  expect(fake.events).toHaveLength(1);
  return fake.events[0] as StoredEvent;
}

describe('forged X-Forwarded-For / X-Real-IP / X-Request-Id', () => {
  it.each(FRAMEWORKS)(
    'set neither the client IP nor the request id when %s does not trust a proxy',
    async (framework) => {
      const event = await recordForged(framework, false);
      expect(event.client_ip).toBe('127.0.0.1');
      const requestId = (event.context.http_request as { request_id: string }).request_id;
      expect(requestId).not.toBe(FORGED['X-Request-Id']);
      expect(requestId).toMatch(/\S/);
    },
  );

  // The positive control (covered in depth elsewhere): the same request behind a trusted proxy
  // does set them, so the test above can tell the difference.
  it('do count when Express trusts its proxy', async () => {
    const event = await recordForged('express', true);
    expect(event.client_ip).toBe('203.0.113.66');
    expect((event.context.http_request as { request_id: string }).request_id).toBe(
      'forged-request-id',
    );
  });
});
