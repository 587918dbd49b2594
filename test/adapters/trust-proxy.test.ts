import { describe, expect, it } from 'vitest';
import { requestEvent, sendExpecting, settled, startScenario, UUID } from './harness/scenario.js';
import { FRAMEWORKS } from './harness/types.js';

const FORGED = { 'x-forwarded-for': '203.0.113.9', 'x-request-id': 'forged-request-id' };

describe.each(FRAMEWORKS)(
  '%s: client IP and request id behind (or without) a proxy',
  (framework) => {
    const fastify = framework.startsWith('fastify');

    it('ignores forged X-Forwarded-For and X-Request-Id when the app trusts no proxy', async () => {
      const scenario = await startScenario(framework);
      const answer = await sendExpecting(scenario.app, 200, { path: '/hello', headers: FORGED });

      const event = requestEvent(await settled(scenario, 1));
      expect(event.client_ip).toBe('127.0.0.1');
      const requestId = (event.context.http_request as { request_id: string }).request_id;
      expect(requestId).toBe(answer.json().requestId);
      // Fastify's own id; Express and Koa have none, so one is made.
      expect(requestId).toEqual(
        fastify ? answer.json().fastifyRequestId : expect.stringMatching(UUID),
      );
    });

    it.each([true, 'loopback'] as const)(
      'honours them once the app trusts its proxy (%s)',
      async (trustProxy) => {
        const scenario = await startScenario(framework, { harness: { trustProxy } });
        const answer = await sendExpecting(scenario.app, 200, { path: '/hello', headers: FORGED });

        const event = requestEvent(await settled(scenario, 1));
        expect(event.client_ip).toBe('203.0.113.9');
        // Fastify keeps its own id (its requestIdHeader option is the app's choice to make).
        expect((event.context.http_request as { request_id: string }).request_id).toBe(
          fastify ? answer.json().fastifyRequestId : 'forged-request-id',
        );
      },
    );
  },
);
