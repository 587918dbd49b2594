import { describe, expect, it } from 'vitest';
import { identityHolds } from '../reliability/support/accounting.js';
import { LOGIN_PASSWORD } from './harness/routes.js';
import { sendExpecting, startScenario } from './harness/scenario.js';
import { FRAMEWORKS } from './harness/types.js';

// At saturation the queue is full and, without an onDrop hook, a request's log is shed before
// it is built (client.shedIfFull). The app's own events (a login, a failed login) and the
// system_exception of a failing route are audit events: they evict request logs to get in,
// and none of them is lost.
const REQUESTS = 30;
const LOGINS = 6;

describe.each(FRAMEWORKS)(
  '%s: at saturation, request logs are shed, audit events kept',
  (framework) => {
    it('every login, failed login and exception is stored; the request logs are shed, counted', async () => {
      const scenario = await startScenario(framework, {
        events: { maxQueueSize: 10, concurrency: 1 },
      });
      const { client } = scenario.app;
      await scenario.fake.faults.down();

      for (let i = 0; i < REQUESTS; i++)
        await sendExpecting(scenario.app, 200, { path: `/hello?n=${i}` });
      const full = client.stats();
      expect(full.byClass.request_log.dropped.queue_full).toBeGreaterThanOrEqual(REQUESTS - 10 - 1);

      for (let i = 0; i < LOGINS; i++) {
        const password = i % 2 === 0 ? LOGIN_PASSWORD : 'wrong';
        await sendExpecting(scenario.app, i % 2 === 0 ? 200 : 401, {
          method: 'POST',
          path: '/login',
          json: { username: `user${i}`, password },
        });
      }
      await sendExpecting(scenario.app, 500, { path: '/boom' });

      const during = client.stats();
      expect(identityHolds(during), JSON.stringify(during)).toBe(true);
      // Every audit event is queued; each took the place of a request log.
      expect(during.byClass.audit).toMatchObject({
        emitted: LOGINS + 1,
        queued: LOGINS + 1,
        delivered: 0,
        dropped: { queue_full: 0 },
      });
      // The later requests' own logs were shed, and queued ones evicted to make room.
      expect(during.byClass.request_log.emitted).toBe(REQUESTS + LOGINS + 1);
      expect(during.byClass.request_log.dropped.queue_full).toBeGreaterThanOrEqual(
        full.byClass.request_log.dropped.queue_full + LOGINS + 1,
      );
      expect(during.queued).toBeLessThanOrEqual(10);

      await scenario.fake.faults.up();
      await client.flush({ timeoutMs: 10_000 });
      const stored = scenario.fake.events;
      const audit = stored.filter((event) => event.action !== 'custom_');
      expect(audit.map((event) => event.action).sort()).toEqual(
        [
          ...Array(LOGINS / 2).fill('login'),
          ...Array(LOGINS / 2).fill('login_failed'),
          'system_exception',
        ].sort(),
      );
      const after = client.stats();
      expect(after.byClass.audit).toMatchObject({
        delivered: LOGINS + 1,
        dropped: { queue_full: 0 },
      });
      expect(stored.length).toBe(after.delivered);
      expect(identityHolds(after), JSON.stringify(after)).toBe(true);
    });
  },
);
