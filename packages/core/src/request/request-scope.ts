import type { EventAction } from '../actions.js';
import { activeTraceIds } from '../tracing/trace-ids.js';
import type { AuthentikUser } from '../types.js';
import type { RecorderCore } from './recorder-core.js';

/** What the app may pass with an event of its own. */
export interface EmitOptions {
  context?: Record<string, unknown>;
  user?: AuthentikUser;
}

/** What `req.authentik` / `ctx.authentik` / `request.authentik` offers the app's own code. */
export interface RequestEvents {
  /**
   * Record an event with this request's IP, user, brand and request facts filled in.
   * Returns `false` when the event is refused (see `client.stats()`); never throws.
   */
  emit(action: EventAction, options?: EmitOptions): boolean;
  /** The id in `context.http_request.request_id` of this request's events. */
  readonly requestId: string;
}

/**
 * One request's part in recording: created when the request starts (cheaply: a start time and
 * a reference), read only when an event is made, finished once by the adapter.
 */
export class RequestScope<R> implements RequestEvents {
  private readonly startedAt = performance.now();
  /**
   * The span active when the request reached the adapter (with OpenTelemetry installed): the
   * request's events carry its ids, wherever they are made (a response listener may run
   * outside the request's context).
   */
  readonly traceIds = activeTraceIds();
  private error: unknown;
  private finished = false;
  private id: string | undefined;

  constructor(
    private readonly core: RecorderCore<R>,
    readonly request: R,
    private readonly recording: boolean,
  ) {}

  get requestId(): string {
    this.id ??= this.core.requestIdOf(this.request);
    return this.id;
  }

  emit(action: EventAction, options: EmitOptions = {}): boolean {
    // Read by the core inside its guard: the app may pass anything (null, a Proxy, a throwing getter).
    return this.core.emitFor(this, action, options);
  }

  /** The adapter saw an error thrown by the app (recorded as `system_exception` at finish). */
  fail(error: unknown): void {
    this.error ??= error ?? new Error('unknown error');
  }

  /**
   * The response is complete (or the request was aborted). Records the request's events once.
   * `elapsedMs`: the framework's own measure of the request's duration, where it keeps one
   * (Fastify), so the scope need not exist from the request's start.
   */
  finish(status: number | undefined, aborted = false, elapsedMs?: number): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.recording) return;
    const durationMs = Math.round((elapsedMs ?? performance.now() - this.startedAt) * 100) / 100;
    this.core.recordFinished(this, { status, aborted, durationMs, error: this.error });
  }
}
