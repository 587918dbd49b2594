export type { AuthentikAction, CustomAction, EventAction } from './actions.js';
export { AUTHENTIK_ACTIONS, checkAction, toWireAction } from './actions.js';
export type { AuthentikApi, AuthentikReader } from './authentik-api.js';
export type {
  CheckOptions,
  CheckProblem,
  CheckResult,
  CheckStatus,
} from './check/check-types.js';
export { CHECK_EVENT_ACTION } from './check/run-check.js';
export type { EventClient, WaitOptions } from './client.js';
export { createEventClient } from './client.js';
export {
  AuthentikEventsError,
  CallbackError,
  ConfigError,
  DegradedError,
  DeliveryError,
} from './errors.js';
export type { OpenTelemetryMeter, OpenTelemetryMetricsOptions } from './metrics/opentelemetry.js';
export { registerOpenTelemetryMetrics } from './metrics/opentelemetry.js';
export type { PrometheusMetricsOptions, PrometheusRegistry } from './metrics/prometheus.js';
export { registerPrometheusMetrics } from './metrics/prometheus.js';
export type { ClientOptions, DeliveryMode, RedactOptions, RetryOptions } from './options.js';
export { normalizeIp } from './payload/ip.js';
export { REDACTED, Redactor } from './payload/redact.js';
export { sanitizeRecord } from './payload/sanitize.js';
export type { AddResult, EventStore } from './queue/event-store.js';
export type { AdapterOptions, RequestReader } from './request/adapter-options.js';
export type { AdapterSpecificOption, CheckedSpecificOptions } from './request/adapter-schema.js';
export type { ListedBrand } from './request/brand-match.js';
export { brandForEvent, matchBrand } from './request/brand-match.js';
export type { ReaderSource, Recorder } from './request/create-recorder.js';
export { createRecorder } from './request/create-recorder.js';
export { finishWithResponse } from './request/finish-with-response.js';
export type { LookupOptions } from './request/lookups.js';
export { toAuthentikUser } from './request/map-user.js';
export type { ExpressLikeRequest } from './request/readers/express-reader.js';
export { expressReader } from './request/readers/express-reader.js';
export type { FastifyLikeRequest } from './request/readers/fastify-reader.js';
export { fastifyReader } from './request/readers/fastify-reader.js';
export type { EmitOptions, RequestEvents, RequestScope } from './request/request-scope.js';
export type { RequestSample } from './request/sample-requests.js';
export type { TrustProxy, TrustProxyFn } from './request/trust-proxy.js';
export { forwardedAddress } from './request/trust-proxy.js';
export type {
  AuthentikBrand,
  AuthentikUser,
  ClassStats,
  ClientStats,
  DeliveryReport,
  DropCounts,
  DroppedEvent,
  DropReason,
  EmitInput,
  EventClass,
  WireEvent,
} from './types.js';
export { DROP_REASONS, EVENT_CLASSES } from './types.js';
export { wireEventSchema } from './wire-schema.js';
export type { WithFlushOptions } from './with-flush.js';
export { withFlush } from './with-flush.js';
