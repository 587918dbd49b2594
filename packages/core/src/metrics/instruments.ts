import type { ClientStats } from '../types.js';

/**
 * `stats()` as the metrics read it: what every client has, and what a client may add (the
 * adaptive concurrency limit). Read at scrape time only.
 */
export type StatsReading = ClientStats & {
  concurrencyLimit?: number;
};

/** One number of `stats()` as a metric; `base` becomes `authentik_events_<base>` (Prometheus) or `authentik_events.<base>` (OpenTelemetry). */
export interface StatInstrument {
  base: string;
  help: string;
  /** UCUM unit for OpenTelemetry. */
  unit: string;
  /** `total`: only grows (a counter); `level`: goes up and down (queue sizes); `limit`: a setting. */
  kind: 'total' | 'level' | 'limit';
  read(stats: StatsReading): number | undefined;
}

export const STAT_INSTRUMENTS: readonly StatInstrument[] = [
  {
    base: 'emitted',
    help: 'Events emitted (accepted or refused at emit)',
    unit: '{event}',
    kind: 'total',
    read: (stats) => stats.emitted,
  },
  {
    base: 'delivered',
    help: 'Events authentik stored (answered 2xx)',
    unit: '{event}',
    kind: 'total',
    read: (stats) => stats.delivered,
  },
  {
    base: 'retried',
    help: 'Delivery attempts that were retried',
    unit: '{attempt}',
    kind: 'total',
    read: (stats) => stats.retried,
  },
  {
    base: 'sampled_out',
    help: 'Request logs left out by autoLog.sample (never emitted)',
    unit: '{event}',
    kind: 'total',
    read: (stats) => stats.sampledOut,
  },
  {
    base: 'queued',
    help: 'Events waiting to be sent, those awaiting a lookup included',
    unit: '{event}',
    kind: 'level',
    read: (stats) => stats.queued,
  },
  {
    base: 'queued_bytes',
    help: 'Bytes the queued events hold (an upper bound)',
    unit: 'By',
    kind: 'level',
    read: (stats) => stats.queuedBytes,
  },
  {
    base: 'awaiting_lookup',
    help: 'Queued events waiting for a user or brand lookup',
    unit: '{event}',
    kind: 'level',
    read: (stats) => stats.awaitingLookup,
  },
  {
    base: 'in_flight',
    help: 'Events being delivered now',
    unit: '{event}',
    kind: 'level',
    read: (stats) => stats.inFlight,
  },
  {
    base: 'concurrency_limit',
    help: 'Requests to authentik allowed in flight now (the adaptive limit)',
    unit: '{request}',
    kind: 'limit',
    read: (stats) => stats.concurrencyLimit,
  },
];

export const DROPPED = {
  base: 'dropped',
  help: 'Events lost, by reason and class of event',
  unit: '{event}',
} as const;

export const LATENCY = {
  base: 'delivery_latency',
  help: 'Time from emit to the 2xx of authentik, in seconds',
  /**
   * From a sender that keeps up (tens of ms, after the flush interval of 1 s by default) to an
   * event retried through an outage (minutes).
   */
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10, 30, 60, 300, 600],
} as const;

/** Every drop count with its reason and class of event (`audit`, `request_log`). */
export function droppedSeries(
  stats: StatsReading,
): Array<{ reason: string; eventClass: string; value: number }> {
  const series: Array<{ reason: string; eventClass: string; value: number }> = [];
  for (const [eventClass, counts] of Object.entries(stats.byClass)) {
    for (const [reason, value] of Object.entries(counts.dropped))
      series.push({ reason, eventClass, value });
  }
  return series;
}

/** Which stat instruments this client has: the limit only when its `stats()` offers one. */
export function instrumentsFor(first: StatsReading): StatInstrument[] {
  return STAT_INSTRUMENTS.filter(
    (instrument) => instrument.kind !== 'limit' || typeof instrument.read(first) === 'number',
  );
}
