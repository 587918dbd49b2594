import type { ClientStats } from '@authentik-events/core';
import { describe, expect, it } from 'vitest';
import { expectAccounted, identityHolds, sampleStats, waitUntil } from './support/accounting.js';
import { FRAMEWORKS } from './support/app-under-test.js';
import { startScenario } from './support/scenario.js';
import { sendMany } from './support/send-many.js';

const READ_SLOTS = 4;
/** Lookups that never end on their own within a test: only close() or an eviction ends them. */
const NEVER = 60_000;
/** Every request's user is 'jane', without a pk: every event needs the lookup. */
const JANE = () => ({ username: 'jane' });
/**
 * Delivery on the app's loop: a delivery worker that has not started yet can take longer than
 * a 1 s close deadline to boot on a loaded machine, which is not what these tests are about.
 */
const IN_PROCESS = { delivery: 'in-process' } as const;
/** close({ timeoutMs: 1000 }) resolves by then; generous for a loaded machine, far below NEVER. */
const CLOSE_BOUND_MS = 5000;

const busyReports = (errors: { code: string }[]) =>
  errors.filter((error) => error.code === 'ERR_AUTHENTIK_EVENTS_LOOKUP_BUSY');

describe.each(FRAMEWORKS)(
  '%s: lookups driven by request content cannot flood authentik',
  (framework) => {
    // The full 2,000 on one framework; the path is the core's, the others check the adapters reach it.
    const LOGINS = framework === 'express' ? 2000 : 400;
    it(`${LOGINS} failed logins with distinct usernames never have more than 4 users reads in flight`, {
      timeout: 180_000,
    }, async () => {
      let n = 0;
      const scenario = await startScenario({
        framework,
        // A deadline no read meets on a loaded machine: an aborted read ends for the client at
        // once but for the fake only when it sees the socket close, which would blur its count.
        adapter: { userLookup: true, autoLog: false, maxQueueSize: 5000, requestTimeoutMs: 30_000 },
        routes: {
          '/login': (events) =>
            events.emit('login_failed', { user: { username: `attacker-${n++}` } }),
        },
      });
      const { fake, app, errors } = scenario;
      // A slow users API (each read answered after 100 ms, "no such user"): lookups pile up.
      // Reads are answered, not aborted, so the fake's count of reads in progress is exact.
      fake.faults.answerReads(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });

      const statuses = await sendMany(app.url, LOGINS, () => '/login', 64);
      expect(statuses.every((status) => status === 200)).toBe(true);
      await waitUntil(
        () => app.client.stats().emitted === LOGINS,
        'every login was emitted',
        60_000,
      );
      await app.close(60_000);

      expect(fake.maxConcurrentReads).toBeGreaterThan(0);
      expect(fake.maxConcurrentReads).toBeLessThanOrEqual(READ_SLOTS);
      // Most lookups were skipped, not queued; saying so once per flood, not once per login.
      const reads = fake.requests.filter((r) => r.path.startsWith('/api/v3/core/users/')).length;
      expect(reads).toBeLessThan(LOGINS);
      expect(busyReports(errors).length).toBeGreaterThanOrEqual(1);
      expect(busyReports(errors).length).toBeLessThanOrEqual(5);
      // Every failed login is recorded, without the pk the lookup could not find.
      const tally = expectAccounted(app.client.stats(), fake.events);
      expect(tally).toMatchObject({ emitted: LOGINS, stored: LOGINS, dropped: {} });
      expect(fake.events.every((event) => event.user.pk === undefined)).toBe(true);
      expect(app.appErrors).toEqual([]);
    });

    it('a name authentik does not know, and a failed lookup, are remembered (one read each)', async () => {
      const names = ['ghost', 'ghost', 'ghost', 'broken', 'broken', 'broken'];
      let n = 0;
      const scenario = await startScenario({
        framework,
        adapter: { userLookup: true, autoLog: false },
        routes: {
          '/login': (events) => events.emit('login_failed', { user: { username: names[n++] } }),
        },
      });
      const { fake, app } = scenario;
      fake.faults.answerReads((read) =>
        read.query.get('username') === 'broken'
          ? { status: 500, body: { detail: 'x' } }
          : undefined,
      );
      for (const _ of names) await sendMany(app.url, 1, () => '/login');
      await fake.waitForEvents(names.length);

      const reads = fake.requests
        .filter((r) => r.path.startsWith('/api/v3/core/users/'))
        .map((r) => r.path);
      expect(reads).toEqual([
        '/api/v3/core/users/?username=ghost',
        '/api/v3/core/users/?username=broken',
      ]);
    });
  },
);

describe.each(FRAMEWORKS)('%s: events held for a lookup are queued events', (framework) => {
  it('a 100-event queue holds at most 100 including those awaiting a lookup; the rest are queue_full', async () => {
    const scenario = await startScenario({
      framework,
      adapter: {
        ...IN_PROCESS,
        userLookup: true,
        user: JANE,
        maxQueueSize: 100,
        requestTimeoutMs: NEVER,
      },
    });
    const { fake, app } = scenario;
    fake.faults.hostileReads('hang');
    const sampling = sampleStats(app.client);
    const statuses = await sendMany(app.url, 300, (i) => `/?n=${i}`, 16);
    expect(statuses.every((status) => status === 200)).toBe(true);
    await waitUntil(() => app.client.stats().emitted === 300, '300 events were emitted');
    const samples = sampling.stop();

    const stats = app.client.stats();
    expect(stats).toMatchObject({ emitted: 300, queued: 100, awaitingLookup: 100, inFlight: 0 });
    expect(stats.dropped.queue_full).toBe(200);
    expect(stats.queuedBytes).toBeGreaterThan(0);
    expect(samples.maxQueued).toBeLessThanOrEqual(100);
    expect(samples.identityBroken).toBe(0);
    // One read for the one user, never answered.
    expect(fake.readsInProgress).toBe(1);

    const startedAt = Date.now();
    const report = await app.close(1000);
    expect(Date.now() - startedAt).toBeLessThan(CLOSE_BOUND_MS);
    // Released at once: what the deadline left no time to deliver is counted as closed.
    expect(report.pending).toBe(0);
    expect(report.delivered + report.dropped.closed).toBe(100);
    expect(report.delivered).toBeGreaterThan(0);
    const after = app.client.stats();
    expect(identityHolds(after)).toBe(true);
    expect(after).toMatchObject({ queued: 0, awaitingLookup: 0 });
    // Sent without the pk the lookup never brought.
    expect(fake.events.map((event) => event.user)).toEqual(
      Array(report.delivered).fill({ username: 'jane' }),
    );
  });
});

describe('held events and overflow drop-oldest', () => {
  it('evicts the oldest held events for new ones, counting them as queue_full', async () => {
    const scenario = await startScenario({
      adapter: {
        ...IN_PROCESS,
        userLookup: true,
        user: JANE,
        maxQueueSize: 100,
        overflow: 'drop-oldest',
        requestTimeoutMs: NEVER,
      },
    });
    const { fake, app } = scenario;
    fake.faults.hostileReads('hang');
    const sampling = sampleStats(app.client);
    for (let i = 0; i < 300; i++) await sendMany(app.url, 1, () => `/?n=${i}`);
    await waitUntil(() => app.client.stats().emitted === 300, '300 events were emitted');
    const samples = sampling.stop();
    expect(samples.identityBroken).toBe(0);
    expect(samples.maxQueued).toBeLessThanOrEqual(100);
    expect(app.client.stats()).toMatchObject({ queued: 100, awaitingLookup: 100 });
    expect(app.client.stats().dropped.queue_full).toBe(200);

    const report = await app.close(1000);
    expect(report.delivered + report.dropped.closed).toBe(100);
    expect(report.delivered).toBeGreaterThan(0);
    // Only the newest 100 were kept.
    const numbers = fake.events.map((event) =>
      Number((event.context.http_request as { args: { n: string } }).args.n),
    );
    expect(numbers.every((n) => n >= 200 && n < 300)).toBe(true);
  });
});

describe.each(FRAMEWORKS)('%s: close() covers the lookups in its deadline', (framework) => {
  it('with a lookup server that never answers, close({ timeoutMs: 1000 }) resolves in time and sends the held events', async () => {
    const scenario = await startScenario({
      framework,
      adapter: {
        ...IN_PROCESS,
        userLookup: true,
        user: JANE,
        brand: 'lookup',
        requestTimeoutMs: NEVER,
      },
    });
    const { fake, app } = scenario;
    fake.faults.hostileReads('hang');
    await sendMany(app.url, 5, (i) => `/?n=${i}`);
    await waitUntil(() => app.client.stats().awaitingLookup === 5, '5 events await the lookups');

    const startedAt = Date.now();
    const report = await app.close(1000);
    expect(Date.now() - startedAt).toBeLessThan(CLOSE_BOUND_MS);
    // Sent at once, not after the lookups: on a loaded machine some may still meet the deadline.
    expect(report.delivered + report.dropped.closed).toBe(5);
    expect(report.delivered).toBeGreaterThan(0);
    expect(fake.events).toHaveLength(report.delivered);
    for (const event of fake.events) {
      expect(event.user).toEqual({ username: 'jane' });
      expect(event.brand).toEqual({
        app: 'authentik_brands',
        model_name: 'brand',
        name: 'Brand 127.0.0.1',
      });
    }
    // The lookups were aborted, not left running after close.
    await waitUntil(() => fake.readsInProgress === 0, 'the reads were aborted');
    expect(app.appErrors).toEqual([]);
  });

  it('close() while requests and lookups are still arriving: every event is accounted, nothing throws', async () => {
    let n = 0;
    const scenario = await startScenario({
      framework,
      adapter: { userLookup: true, requestTimeoutMs: NEVER },
      routes: {
        '/login': (events) => events.emit('login_failed', { user: { username: `u${n++ % 50}` } }),
      },
    });
    const { fake, app } = scenario;
    fake.faults.hostileReads('hang');
    const requests = sendMany(app.url, 400, () => '/login', 16);
    await waitUntil(() => app.client.stats().awaitingLookup > 20, 'events await lookups');
    const startedAt = Date.now();
    const closedAt = app.client.close({ timeoutMs: 1000 }).then(() => Date.now());
    const statuses = await requests;
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect((await closedAt) - startedAt).toBeLessThan(CLOSE_BOUND_MS);
    await app.close(1000);

    const stats: ClientStats = app.client.stats();
    expect(identityHolds(stats)).toBe(true);
    expect(stats).toMatchObject({ queued: 0, inFlight: 0, awaitingLookup: 0 });
    // Never more delivered than stored (a request aborted at the deadline may still be stored).
    expect(stats.delivered).toBeLessThanOrEqual(fake.events.length);
    expect(app.appErrors).toEqual([]);
  });
});

describe('lookup answers are read within a byte bound', () => {
  it('a users answer that never ends (512 MiB) costs the app a small bound of memory, and is a failed lookup', async () => {
    const scenario = await startScenario({
      // A deadline long enough to read it all, as an uncapped reader would.
      adapter: { userLookup: true, user: JANE, requestTimeoutMs: NEVER },
    });
    const { fake, app, errors } = scenario;
    fake.faults.hostileReads('huge-body');
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      await sendMany(app.url, 1, () => '/');
      await fake.waitForEvents(1, 20_000);
    } finally {
      clearInterval(sampler);
    }

    expect(fake.events[0]?.user).toEqual({ username: 'jane' });
    const failure = errors.find((error) => error.code === 'ERR_AUTHENTIK_EVENTS_LOOKUP');
    expect(failure?.message).toMatch(/larger than 1048576 bytes/);
    expect(peak - base).toBeLessThan(128 * 1024 * 1024);
    expect(app.appErrors).toEqual([]);
  });
});

describe('an evicted lookup is aborted', () => {
  it('with userLookup.max 1, a second user evicts the first lookup: its read is aborted and its event goes on at once', async () => {
    const names = ['first', 'second'];
    let n = 0;
    const scenario = await startScenario({
      adapter: {
        ...IN_PROCESS,
        userLookup: { max: 1 },
        autoLog: false,
        requestTimeoutMs: NEVER,
      },
      routes: {
        '/login': (events) => events.emit('login_failed', { user: { username: names[n++] } }),
      },
    });
    const { fake, app } = scenario;
    fake.faults.hostileReads('hang');
    await sendMany(app.url, 1, () => '/login');
    await waitUntil(() => fake.readsInProgress === 1, 'the first read is in progress');
    expect(app.client.stats().awaitingLookup).toBe(1);

    await sendMany(app.url, 1, () => '/login');
    // Only the second read is left; the first user's event did not wait for its lookup.
    await fake.waitForEvents(1, 10_000);
    expect(fake.events[0]?.user).toEqual({ username: 'first' });
    await waitUntil(
      () =>
        fake.requests.some((request) => request.path.endsWith('username=second')) &&
        fake.readsInProgress === 1,
      'the second read is the only one in progress (the first was aborted)',
    );
    expect(app.client.stats().awaitingLookup).toBe(1);
  });
});
