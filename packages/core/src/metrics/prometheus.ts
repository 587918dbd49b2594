import type { EventClient } from '../client.js';
import { ConfigError, describeError } from '../errors.js';
import { loadOptionalPeer } from '../optional-peer.js';
import { latencySourceOf } from './delivery-latency.js';
import {
  DROPPED,
  droppedSeries,
  instrumentsFor,
  LATENCY,
  type StatInstrument,
  type StatsReading,
} from './instruments.js';

/** The part of a prom-client `Registry` used here (prom-client 13 to 15). */
export interface PrometheusRegistry {
  removeSingleMetric(name: string): void;
}

interface Settable {
  reset(): void;
  inc(labels: Record<string, string>, value: number): void;
  inc(value: number): void;
  set(value: number): void;
  observe(value: number): void;
}

type MetricClass = new (config: Record<string, unknown>) => Settable;

/** The classes of prom-client this uses; loaded when first needed, never at import. */
interface PromClient {
  Counter: MetricClass;
  Gauge: MetricClass;
  Histogram: MetricClass;
}

export interface PrometheusMetricsOptions {
  /** Put before every metric's name; another one lets a second client share the registry. @default 'authentik_events_' */
  prefix?: string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function checkArguments(client: unknown, registry: unknown, prefix: unknown): void {
  if (typeof (client as EventClient | null)?.stats !== 'function')
    throw new ConfigError(
      'client',
      "of registerPrometheusMetrics must be a client from createEventClient (or an adapter's .client)",
    );
  if (typeof (registry as PrometheusRegistry | null)?.removeSingleMetric !== 'function')
    throw new ConfigError(
      'registry',
      "of registerPrometheusMetrics must be a prom-client Registry (new Registry(), or prom-client's default register)",
    );
  if (typeof prefix !== 'string' || !NAME.test(prefix))
    throw new ConfigError(
      'prefix',
      'of registerPrometheusMetrics must be a Prometheus metric name prefix (letters, digits, _ and :, not starting with a digit)',
    );
}

/**
 * Exposes the client's counters in a prom-client `Registry`: read from `stats()` when the
 * registry is scraped (nothing runs between scrapes), plus a histogram of the delivery latency
 * (emit to authentik's 2xx), observed once per delivered event. prom-client is an optional peer
 * dependency, loaded by this call. Returns the function that removes the metrics again.
 *
 * @example
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * registerPrometheusMetrics(events.client, registry);
 * app.get('/metrics', async (req, res) => res.type(registry.contentType).send(await registry.metrics()));
 */
export function registerPrometheusMetrics(
  client: EventClient,
  registry: PrometheusRegistry,
  options: PrometheusMetricsOptions = {},
): () => void {
  const prefix = options.prefix ?? 'authentik_events_';
  checkArguments(client, registry, prefix);
  const prom = loadOptionalPeer<PromClient>('prom-client');
  if (typeof prom?.Counter !== 'function' || typeof prom.Histogram !== 'function')
    throw new ConfigError(
      'registry',
      'of registerPrometheusMetrics needs prom-client: npm install prom-client',
    );
  const registered: string[] = [];
  const unregister = () => {
    for (const name of registered.splice(0)) registry.removeSingleMetric(name);
  };
  const register = <T>(name: string, make: () => T): T => {
    const metric = make();
    registered.push(name);
    return metric;
  };
  try {
    const stats = () => client.stats() as StatsReading;
    for (const instrument of instrumentsFor(stats()))
      registerStat(prom, registry, prefix, instrument, stats, register);
    const droppedName = `${prefix}${DROPPED.base}_total`;
    const dropped: Settable = register(
      droppedName,
      () =>
        new prom.Counter({
          name: droppedName,
          help: DROPPED.help,
          labelNames: ['reason', 'class'],
          registers: [registry],
          collect() {
            dropped.reset();
            for (const { reason, eventClass, value } of droppedSeries(stats()))
              dropped.inc({ reason, class: eventClass }, value);
          },
        }),
    );
    const latencyName = `${prefix}${LATENCY.base}_seconds`;
    const histogram = register(
      latencyName,
      () =>
        new prom.Histogram({
          name: latencyName,
          help: LATENCY.help,
          buckets: [...LATENCY.buckets],
          registers: [registry],
        }),
    );
    const unsubscribe = latencySourceOf(client)?.((seconds) => histogram.observe(seconds));
    return () => {
      unsubscribe?.();
      unregister();
    };
  } catch (error) {
    unregister();
    throw new ConfigError(
      'registry',
      `of registerPrometheusMetrics refused a metric: ${describeError(error)} (register each client once per registry, or give the second one another prefix)`,
    );
  }
}

function registerStat(
  prom: PromClient,
  registry: PrometheusRegistry,
  prefix: string,
  instrument: StatInstrument,
  stats: () => StatsReading,
  register: <T>(name: string, make: () => T) => T,
): void {
  const name = `${prefix}${instrument.base}${instrument.kind === 'total' ? '_total' : ''}`;
  const Class = instrument.kind === 'total' ? prom.Counter : prom.Gauge;
  const metric: Settable = register(
    name,
    () =>
      new Class({
        name,
        help: instrument.help,
        registers: [registry],
        collect() {
          const value = instrument.read(stats()) ?? 0;
          if (instrument.kind !== 'total') return metric.set(value);
          // A counter cannot be set: it starts again from 0 and counts the total, as read.
          metric.reset();
          metric.inc(value);
        },
      }),
  );
}
