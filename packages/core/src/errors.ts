import type { DropReason } from './types.js';

/** Base class of every error this library reports; `code` is stable and machine-readable. */
export class AuthentikEventsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthentikEventsError';
    this.code = code;
  }
}

/** A wrong option, thrown once at construction. `option` names it. */
export class ConfigError extends AuthentikEventsError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('ERR_AUTHENTIK_EVENTS_CONFIG', `@authentik-events: option "${option}" ${message}`);
    this.name = 'ConfigError';
    this.option = option;
  }
}

/** One or more events were not delivered; `reason` is the `stats().dropped` key they count under. */
export class DeliveryError extends AuthentikEventsError {
  readonly reason: DropReason;
  readonly status: number | undefined;
  readonly count: number;
  constructor(
    reason: DropReason,
    message: string,
    details: { status?: number; count?: number; cause?: unknown } = {},
  ) {
    super(`ERR_AUTHENTIK_EVENTS_${reason.toUpperCase()}`, message, { cause: details.cause });
    this.name = 'DeliveryError';
    this.reason = reason;
    this.status = details.status;
    this.count = details.count ?? 1;
  }
}

/** A user callback (`beforeSend`, `user`, `brand`, `context`, `onDrop`) threw or returned garbage. */
export class CallbackError extends AuthentikEventsError {
  readonly callback: string;
  constructor(callback: string, message: string, cause?: unknown) {
    super('ERR_AUTHENTIK_EVENTS_CALLBACK', `${callback}: ${message}`, { cause });
    this.name = 'CallbackError';
    this.callback = callback;
  }
}

/** A warning that the client is degraded (queue full, server unreachable); reported once per episode. */
export class DegradedError extends AuthentikEventsError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'DegradedError';
  }
}

/** A short, safe description of anything thrown, for messages. */
export function describeError(error: unknown): string {
  // Anything can be thrown: a revoked Proxy, an Error whose message getter throws, an object
  // whose toString returns a Symbol. Describing it must never throw in turn.
  try {
    if (error instanceof Error) return `${String(error.name)}: ${String(error.message)}`;
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
