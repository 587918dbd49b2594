import { loadOptionalPeer } from '../optional-peer.js';

/** The part of `@opentelemetry/api` this package uses (stable since its 1.0). */
interface TraceApi {
  trace: { getActiveSpan(): { spanContext(): SpanContext } | undefined };
  isSpanContextValid(context: SpanContext): boolean;
}

interface SpanContext {
  traceId: string;
  spanId: string;
}

/** What an event's context carries to lead from authentik to the trace that caused it. */
export interface TraceIds {
  trace_id: string;
  span_id: string;
}

/**
 * `null` once it is known that `@opentelemetry/api` is not installed: from then on, each call
 * below costs one comparison. The API keeps its registrations (the context manager, the
 * tracer provider) on a global, so the copy this package resolves sees the app's spans even
 * when the app has a copy of its own.
 */
let api: TraceApi | null | undefined;

/** Loads `@opentelemetry/api` once, if installed (the client calls it when created). */
export function loadTraceApi(): void {
  if (api !== undefined) return;
  const loaded = loadOptionalPeer<Partial<TraceApi>>('@opentelemetry/api');
  api =
    typeof loaded?.trace?.getActiveSpan === 'function' &&
    typeof loaded.isSpanContextValid === 'function'
      ? (loaded as TraceApi)
      : null;
}

/** The ids of the span active now, when OpenTelemetry is installed and a valid span is active. */
export function activeTraceIds(): TraceIds | undefined {
  if (!api) return undefined;
  try {
    const context = api.trace.getActiveSpan()?.spanContext();
    if (context === undefined || !api.isSpanContextValid(context)) return undefined;
    return { trace_id: context.traceId, span_id: context.spanId };
  } catch {
    // A broken context manager or span of the app's: the event goes without the ids.
    return undefined;
  }
}

/** Puts the ids in a context the caller owns, unless it has a `trace_id` already (the app's own word wins). */
export function addTraceIds(context: Record<string, unknown>, ids: TraceIds): void {
  if (context.trace_id !== undefined) return;
  context.trace_id = ids.trace_id;
  context.span_id = ids.span_id;
}
