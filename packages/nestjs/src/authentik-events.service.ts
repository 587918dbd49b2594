import type {
  CheckOptions,
  CheckResult,
  EmitOptions,
  EventAction,
  EventClient,
  RequestEvents,
} from '@authentik-events/core';
import { Inject, Injectable } from '@nestjs/common';
import { NEST_RECORDER, type NestRecorder } from './nest-recorder.js';

/**
 * Records the app's own events. A singleton that finds the request it is called for through
 * `AsyncLocalStorage` (so no provider needs to become request-scoped): inside a request, an
 * event carries that request's IP, user, brand and facts, as `req.authentik.emit` does with
 * the other adapters; outside one (a scheduled job, start-up), the action, context and user
 * it is given.
 *
 * @example
 * constructor(private readonly events: AuthentikEvents) {}
 * this.events.emit('login_failed', { context: { username } });
 */
@Injectable()
export class AuthentikEvents {
  constructor(@Inject(NEST_RECORDER) private readonly nest: NestRecorder) {}

  /**
   * Record an event, with the current request's facts when called for one. Returns `false`
   * when the event is refused (see `client.stats()`); never throws.
   */
  emit(action: EventAction, options?: EmitOptions): boolean {
    const scope = this.nest.current.getStore();
    return scope ? scope.emit(action, options) : this.nest.recorder.emit(action, options);
  }

  /** The current request's events API (its `requestId` too), or `undefined` outside a request. */
  get request(): RequestEvents | undefined {
    return this.nest.current.getStore();
  }

  /**
   * Whether events will arrive (URL, TLS, token, permission), for a readiness probe; see
   * `client.check()`. Never throws.
   */
  check(options?: CheckOptions): Promise<CheckResult> {
    return this.nest.recorder.client.check(options);
  }

  /** The client the module delivers with (`stats()`, `flush()`). */
  get client(): EventClient {
    return this.nest.recorder.client;
  }
}
