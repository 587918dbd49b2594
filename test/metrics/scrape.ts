import type { ClientStats, EventClient } from '@authentik-events/core';
import type { Registry } from 'prom-client';

/** One sample of a scrape: its value by metric name and labels (`name{a="x",b="y"}`). */
export type Scrape = Map<string, number>;

/** Scrapes the registry as Prometheus would (the text exposition) and reads every sample. */
export async function scrape(registry: Registry): Promise<Scrape> {
  const text = await registry.metrics();
  const samples: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** A client whose stats() also says what a client of the next engine says (wired by its owner). */
export function withExtraStats(
  client: EventClient,
  extra: (stats: ClientStats) => Record<string, unknown>,
): EventClient {
  return { ...client, stats: () => ({ ...client.stats(), ...extra(client.stats()) }) };
}

/** Counts the calls of `client.stats()` from now on. */
export function countStatsCalls(client: EventClient): { readonly calls: number } {
  const original = client.stats;
  const counter = { calls: 0 };
  (client as { stats: () => ClientStats }).stats = () => {
    counter.calls++;
    return original();
  };
  return counter;
}
