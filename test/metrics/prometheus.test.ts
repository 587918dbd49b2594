import {
  ConfigError,
  DROP_REASONS,
  EVENT_CLASSES,
  registerPrometheusMetrics,
} from '@authentik-events/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { connect, startFake } from '../integration/helpers.js';
import { countStatsCalls, scrape, withExtraStats } from './scrape.js';

const LOGIN = { action: 'login', user: { username: 'jane' } } as const;

describe('Prometheus metrics through a real prom-client registry', () => {
  it('every counter and level equals stats() at scrape time', async () => {
    const fake = await startFake();
    const { client } = connect(fake, { maxQueueSize: 20 });
    const registry = new Registry();
    registerPrometheusMetrics(client, registry);

    for (let i = 0; i < 12; i++) client.emit(LOGIN);
    client.emit({ action: 'not_an_action' } as never); // refused: dropped as invalid
    fake.faults.failNext(2, 503); // two retries, then delivered
    await client.flush();
    await fake.faults.down();
    for (let i = 0; i < 30; i++) client.emit(LOGIN); // 20 queued, the rest queue_full

    const samples = await scrape(registry);
    const stats = client.stats();
    expect(stats.delivered).toBe(12);
    expect(stats.retried).toBe(2);
    expect(samples.get('authentik_events_emitted_total')).toBe(stats.emitted);
    expect(samples.get('authentik_events_delivered_total')).toBe(stats.delivered);
    expect(samples.get('authentik_events_retried_total')).toBe(stats.retried);
    expect(samples.get('authentik_events_sampled_out_total')).toBe(0);
    expect(samples.get('authentik_events_queued')).toBe(stats.queued);
    expect(samples.get('authentik_events_queued_bytes')).toBe(stats.queuedBytes);
    expect(samples.get('authentik_events_in_flight')).toBe(stats.inFlight);
    expect(stats.queued + stats.inFlight).toBe(20);
    for (const reason of DROP_REASONS) {
      for (const eventClass of EVENT_CLASSES) {
        expect(
          samples.get(`authentik_events_dropped_total{reason="${reason}",class="${eventClass}"}`),
        ).toBe(stats.byClass[eventClass].dropped[reason]);
      }
    }
    expect(stats.dropped.invalid).toBe(1);
    expect(stats.dropped.queue_full).toBe(10);
    expect(samples.get('authentik_events_concurrency_limit')).toBe(stats.concurrencyLimit);
    await fake.faults.up();
  });

  it('a histogram of the delivery latency, one observation per delivered event', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const registry = new Registry();
    registerPrometheusMetrics(client, registry);
    fake.faults.latency(60);
    for (let i = 0; i < 8; i++) client.emit(LOGIN);
    await client.flush();
    const samples = await scrape(registry);
    expect(samples.get('authentik_events_delivery_latency_seconds_count')).toBe(8);
    // Each waited at least for the server's 60 ms: the histogram times emit to 2xx.
    expect(samples.get('authentik_events_delivery_latency_seconds_sum')).toBeGreaterThanOrEqual(
      8 * 0.06,
    );
    expect(samples.get('authentik_events_delivery_latency_seconds_bucket{le="0.05"}')).toBe(0);
    expect(samples.get('authentik_events_delivery_latency_seconds_bucket{le="+Inf"}')).toBe(8);
  });

  it('reads stats() only when scraped: nothing runs between scrapes', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const registry = new Registry();
    registerPrometheusMetrics(client, registry);
    const counter = countStatsCalls(client);
    for (let i = 0; i < 20; i++) client.emit(LOGIN);
    await client.flush();
    const before = counter.calls;
    const first = await scrape(registry);
    expect(counter.calls).toBeGreaterThan(before);
    expect(first.get('authentik_events_delivered_total')).toBe(20);
    const afterScrape = counter.calls;
    // Events emitted, delivered, timed: no read of stats() until the next scrape.
    for (let i = 0; i < 5; i++) client.emit(LOGIN);
    await client.flush();
    expect(counter.calls).toBe(afterScrape);
    expect((await scrape(registry)).get('authentik_events_delivered_total')).toBe(25);
  });

  it('picks up the adaptive limit when stats() offers it', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const next = withExtraStats(client, () => ({ concurrencyLimit: 7 }));
    const registry = new Registry();
    registerPrometheusMetrics(next, registry);
    const samples = await scrape(registry);
    expect(samples.get('authentik_events_concurrency_limit')).toBe(7);
  });

  it('a second registration in the same registry is refused, unless it has its own prefix', async () => {
    const fake = await startFake();
    const first = connect(fake).client;
    const second = connect(fake).client;
    const registry = new Registry();
    registerPrometheusMetrics(first, registry);
    expect(() => registerPrometheusMetrics(second, registry)).toThrow(ConfigError);
    expect(() => registerPrometheusMetrics(second, registry)).toThrow(/another prefix/);
    // The refused registration left nothing behind, and the first one still works.
    first.emit(LOGIN);
    await first.flush();
    const samples = await scrape(registry);
    expect(samples.get('authentik_events_delivered_total')).toBe(1);
    registerPrometheusMetrics(second, registry, { prefix: 'audit_' });
    second.emit(LOGIN);
    second.emit(LOGIN);
    await second.flush();
    expect((await scrape(registry)).get('audit_delivered_total')).toBe(2);
  });

  it('the returned function removes every metric and stops timing deliveries', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const registry = new Registry();
    const unregister = registerPrometheusMetrics(client, registry);
    unregister();
    expect(await registry.metrics()).toBe('\n');
    registerPrometheusMetrics(client, registry); // the names are free again
    client.emit(LOGIN);
    await client.flush();
    expect((await scrape(registry)).get('authentik_events_delivery_latency_seconds_count')).toBe(1);
  });

  it('refuses what is not a client, a registry or a prefix, naming it', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const registry = new Registry();
    expect(() => registerPrometheusMetrics({} as never, registry)).toThrow(/"client"/);
    expect(() => registerPrometheusMetrics(client, {} as never)).toThrow(/"registry".*Registry/);
    expect(() => registerPrometheusMetrics(client, registry, { prefix: '9 bad' })).toThrow(
      /"prefix"/,
    );
    expect(await registry.metrics()).toBe('\n');
  });
});
