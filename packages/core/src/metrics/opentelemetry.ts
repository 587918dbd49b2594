import type { EventClient } from '../client.js';
import { ConfigError, describeError } from '../errors.js';
import { latencySourceOf } from './delivery-latency.js';
import {
  DROPPED,
  droppedSeries,
  instrumentsFor,
  LATENCY,
  type StatsReading,
} from './instruments.js';

type Attributes = Record<string, string>;
type Observable = object;
interface ObservableResult {
  observe(instrument: Observable, value: number, attributes?: Attributes): void;
}
type BatchCallback = (result: ObservableResult) => void;
interface InstrumentOptions {
  description: string;
  unit: string;
  advice?: { explicitBucketBoundaries: number[] };
}

/** The part of an `@opentelemetry/api` `Meter` used here (API 1.3 and newer). */
export interface OpenTelemetryMeter {
  createObservableCounter(name: string, options: InstrumentOptions): Observable;
  createObservableUpDownCounter(name: string, options: InstrumentOptions): Observable;
  createObservableGauge(name: string, options: InstrumentOptions): Observable;
  createHistogram(
    name: string,
    options: InstrumentOptions,
  ): { record(value: number, attributes?: Attributes): void };
  addBatchObservableCallback(callback: BatchCallback, observables: Observable[]): void;
  removeBatchObservableCallback(callback: BatchCallback, observables: Observable[]): void;
}

export interface OpenTelemetryMetricsOptions {
  /** Put before every instrument's name. @default 'authentik_events.' */
  prefix?: string;
}

const METER_METHODS = [
  'createObservableCounter',
  'createObservableUpDownCounter',
  'createObservableGauge',
  'createHistogram',
  'addBatchObservableCallback',
  'removeBatchObservableCallback',
] as const;

/**
 * The client's counters as OpenTelemetry observable instruments, read from `stats()` once per
 * collection (nothing runs between collections), and a histogram of the delivery latency
 * (emit to authentik's 2xx), recorded once per delivered event. Takes the app's `Meter`, so no
 * OpenTelemetry package is loaded here. Returns the function that removes the callback again.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * registerOpenTelemetryMetrics(events.client, metrics.getMeter('billing'));
 */
export function registerOpenTelemetryMetrics(
  client: EventClient,
  meter: OpenTelemetryMeter,
  options: OpenTelemetryMetricsOptions = {},
): () => void {
  const prefix = options.prefix ?? 'authentik_events.';
  if (typeof (client as EventClient | null)?.stats !== 'function')
    throw new ConfigError(
      'client',
      "of registerOpenTelemetryMetrics must be a client from createEventClient (or an adapter's .client)",
    );
  const missing = METER_METHODS.filter(
    (name) => typeof (meter as unknown as Record<string, unknown> | null)?.[name] !== 'function',
  );
  if (missing.length > 0)
    throw new ConfigError(
      'meter',
      `of registerOpenTelemetryMetrics must be an OpenTelemetry Meter (metrics.getMeter(name) of @opentelemetry/api 1.3 or newer); it lacks ${missing.join(', ')}`,
    );
  if (typeof prefix !== 'string')
    throw new ConfigError('prefix', 'of registerOpenTelemetryMetrics must be a string');

  try {
    const stats = () => client.stats() as StatsReading;
    const readings = instrumentsFor(stats()).map((instrument) => {
      const create =
        instrument.kind === 'total'
          ? meter.createObservableCounter
          : instrument.kind === 'level'
            ? meter.createObservableUpDownCounter
            : meter.createObservableGauge;
      const observable = create.call(meter, `${prefix}${instrument.base}`, {
        description: instrument.help,
        unit: instrument.unit,
      });
      return { instrument, observable };
    });
    const dropped = meter.createObservableCounter(`${prefix}${DROPPED.base}`, {
      description: DROPPED.help,
      unit: DROPPED.unit,
    });
    const histogram = meter.createHistogram(`${prefix}${LATENCY.base}`, {
      description: LATENCY.help,
      unit: 's',
      advice: { explicitBucketBoundaries: [...LATENCY.buckets] },
    });
    const observables = [...readings.map((reading) => reading.observable), dropped];
    // One stats() per collection, for every instrument.
    const callback: BatchCallback = (result) => {
      const now = stats();
      for (const { instrument, observable } of readings)
        result.observe(observable, instrument.read(now) ?? 0);
      for (const { reason, eventClass, value } of droppedSeries(now))
        result.observe(dropped, value, { reason, class: eventClass });
    };
    meter.addBatchObservableCallback(callback, observables);
    const unsubscribe = latencySourceOf(client)?.((seconds) => histogram.record(seconds));
    return () => {
      unsubscribe?.();
      meter.removeBatchObservableCallback(callback, observables);
    };
  } catch (error) {
    throw new ConfigError(
      'meter',
      `of registerOpenTelemetryMetrics refused an instrument: ${describeError(error)}`,
    );
  }
}
