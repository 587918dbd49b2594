import {
  ConfigError,
  DROP_REASONS,
  EVENT_CLASSES,
  registerOpenTelemetryMetrics,
} from '@authentik-events/core';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, startFake } from '../integration/helpers.js';
import { countStatsCalls, withExtraStats } from './scrape.js';

const LOGIN = { action: 'login', user: { username: 'jane' } } as const;

/** A reader that collects only when asked, as a pull exporter (Prometheus) does. */
class PullReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

function meterWith(reader: MetricReader) {
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return provider.getMeter('authentik-events-test');
}

async function collect(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  return new Map(metrics.map((metric) => [metric.descriptor.name, metric]));
}

/** The value of the one data point of a sum or gauge (with these attributes). */
function pointValue(
  metric: MetricData | undefined,
  attributes: Record<string, string> = {},
): number {
  const point = metric?.dataPoints.find(
    (p) => JSON.stringify(p.attributes) === JSON.stringify(attributes),
  );
  if (!point)
    throw new Error(`no data point ${JSON.stringify(attributes)} in ${metric?.descriptor.name}`);
  return point.value as number;
}

describe('OpenTelemetry metrics through a real MeterProvider', () => {
  it('every instrument equals stats() at collection time', async () => {
    const fake = await startFake();
    const { client } = connect(fake, { maxQueueSize: 10 });
    const reader = new PullReader();
    registerOpenTelemetryMetrics(client, meterWith(reader));

    for (let i = 0; i < 6; i++) client.emit(LOGIN);
    client.emit({ action: 'login', context: 'not an object' } as never);
    fake.faults.failNext(1, 502);
    await client.flush();
    await fake.faults.down();
    for (let i = 0; i < 15; i++) client.emit(LOGIN);

    const metrics = await collect(reader);
    const stats = client.stats();
    expect(pointValue(metrics.get('authentik_events.emitted'))).toBe(stats.emitted);
    expect(pointValue(metrics.get('authentik_events.delivered'))).toBe(6);
    expect(pointValue(metrics.get('authentik_events.retried'))).toBe(1);
    expect(pointValue(metrics.get('authentik_events.sampled_out'))).toBe(0);
    expect(pointValue(metrics.get('authentik_events.queued'))).toBe(stats.queued);
    expect(pointValue(metrics.get('authentik_events.queued_bytes'))).toBe(stats.queuedBytes);
    expect(pointValue(metrics.get('authentik_events.in_flight'))).toBe(stats.inFlight);
    expect(stats.queued + stats.inFlight).toBe(10);
    for (const reason of DROP_REASONS) {
      for (const eventClass of EVENT_CLASSES) {
        expect(
          pointValue(metrics.get('authentik_events.dropped'), { reason, class: eventClass }),
        ).toBe(stats.byClass[eventClass].dropped[reason]);
      }
    }
    expect(stats.dropped.queue_full).toBe(5);
    // Kinds: totals are monotonic sums, queue levels sums that go up and down.
    expect(metrics.get('authentik_events.emitted')?.dataPointType).toBe(DataPointType.SUM);
    expect(metrics.get('authentik_events.emitted')).toMatchObject({ isMonotonic: true });
    expect(metrics.get('authentik_events.queued')).toMatchObject({ isMonotonic: false });
    expect(metrics.get('authentik_events.queued_bytes')?.descriptor.unit).toBe('By');
    expect(pointValue(metrics.get('authentik_events.concurrency_limit'))).toBe(
      stats.concurrencyLimit,
    );
    await fake.faults.up();
  });

  it('a latency histogram in seconds, through a periodic reader and an in-memory exporter', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    registerOpenTelemetryMetrics(client, meterWith(reader));
    fake.faults.latency(60);
    for (let i = 0; i < 5; i++) client.emit(LOGIN);
    await client.flush();
    await reader.forceFlush();
    const exported = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    const latency = exported.find((m) => m.descriptor.name === 'authentik_events.delivery_latency');
    expect(latency?.descriptor.unit).toBe('s');
    expect(latency?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const histogram = latency?.dataPoints[0]?.value as {
      count: number;
      sum: number;
      buckets: { boundaries: number[]; counts: number[] };
    };
    expect(histogram.count).toBe(5);
    expect(histogram.sum).toBeGreaterThanOrEqual(5 * 0.06);
    // The buckets the package advises, not the SDK's default (which is in milliseconds).
    expect(histogram.buckets.boundaries).toContain(0.025);
    const delivered = exported.find((m) => m.descriptor.name === 'authentik_events.delivered');
    expect(pointValue(delivered)).toBe(5);
  });

  it('reads stats() once per collection, never in between', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const reader = new PullReader();
    registerOpenTelemetryMetrics(client, meterWith(reader));
    const counter = countStatsCalls(client);
    for (let i = 0; i < 10; i++) client.emit(LOGIN);
    await client.flush();
    expect(counter.calls).toBe(0);
    await collect(reader);
    expect(counter.calls).toBe(1);
  });

  it('picks up the adaptive limit when stats() offers it', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const next = withExtraStats(client, () => ({ concurrencyLimit: 12 }));
    const reader = new PullReader();
    registerOpenTelemetryMetrics(next, meterWith(reader));
    const metrics = await collect(reader);
    expect(pointValue(metrics.get('authentik_events.concurrency_limit'))).toBe(12);
    expect(metrics.get('authentik_events.concurrency_limit')?.dataPointType).toBe(
      DataPointType.GAUGE,
    );
  });

  it('the returned function stops the observations and the latency recording', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const reader = new PullReader();
    const unregister = registerOpenTelemetryMetrics(client, meterWith(reader));
    unregister();
    const counter = countStatsCalls(client);
    client.emit(LOGIN);
    await client.flush();
    const metrics = await collect(reader);
    expect(counter.calls).toBe(0);
    expect(metrics.get('authentik_events.emitted')?.dataPoints ?? []).toEqual([]);
    expect(metrics.get('authentik_events.delivery_latency')?.dataPoints ?? []).toEqual([]);
  });

  it('refuses what is not a client or a meter, naming it', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    const meter = meterWith(new PullReader());
    expect(() => registerOpenTelemetryMetrics(null as never, meter)).toThrow(ConfigError);
    expect(() => registerOpenTelemetryMetrics(client, {} as never)).toThrow(
      /"meter".*lacks createObservableCounter/,
    );
  });
});
