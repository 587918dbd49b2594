/**
 * Where a client offers the latency of each delivery (emit to 2xx, in seconds) to a metrics
 * library: a function that adds a listener and returns the function that removes it. Until a
 * listener is added, events are not timed at all. Registered with `Symbol.for`, so that a
 * client and the metrics functions of two copies of this package (its ESM and CommonJS
 * builds) still find each other.
 */
export const kDeliveryLatency = Symbol.for('@authentik-events/core.deliveryLatency');

export type SubscribeToLatency = (listener: (seconds: number) => void) => () => void;

/** The client's latency source, or `undefined` for a client that offers none. */
export function latencySourceOf(client: object): SubscribeToLatency | undefined {
  const source = (client as { [kDeliveryLatency]?: unknown })[kDeliveryLatency];
  return typeof source === 'function' ? (source as SubscribeToLatency) : undefined;
}
