import type { DropReason } from './types.js';

/**
 * Each class is branded with a registered symbol (`Symbol.for`), and `instanceof` checks the
 * brand, as undici does (lib/core/errors.js): an app can load this package twice (its ESM and
 * its CommonJS build, or two versions), and an error thrown by one copy must still be
 * `instanceof` the other copy's class.
 */
const brands = {
  AuthentikEventsError: Symbol.for('@authentik-events/core.AuthentikEventsError'),
  ConfigError: Symbol.for('@authentik-events/core.ConfigError'),
  DeliveryError: Symbol.for('@authentik-events/core.DeliveryError'),
  CallbackError: Symbol.for('@authentik-events/core.CallbackError'),
  DegradedError: Symbol.for('@authentik-events/core.DegradedError'),
} as const;

function hasBrand(value: unknown, brand: symbol): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return (value as Record<symbol, unknown>)[brand] === true;
  } catch {
    // A Proxy whose get trap throws is no error of ours, and `instanceof` must not throw.
    return false;
  }
}

/** Marks every instance of `target` (and of its subclasses) with `brand`, through the prototype. */
function brand(target: { prototype: object }, symbol: symbol): void {
  Object.defineProperty(target.prototype, symbol, { value: true, enumerable: false });
}

/** Base class of every error this library reports; `code` is stable and machine-readable. */
export class AuthentikEventsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthentikEventsError';
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): value is AuthentikEventsError {
    return hasBrand(value, brands.AuthentikEventsError);
  }
}
brand(AuthentikEventsError, brands.AuthentikEventsError);

/** A wrong option, thrown once at construction. `option` names it. */
export class ConfigError extends AuthentikEventsError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('ERR_AUTHENTIK_EVENTS_CONFIG', `@authentik-events: option "${option}" ${message}`);
    this.name = 'ConfigError';
    this.option = option;
  }

  static override [Symbol.hasInstance](value: unknown): value is ConfigError {
    return hasBrand(value, brands.ConfigError);
  }
}
brand(ConfigError, brands.ConfigError);

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

  static override [Symbol.hasInstance](value: unknown): value is DeliveryError {
    return hasBrand(value, brands.DeliveryError);
  }
}
brand(DeliveryError, brands.DeliveryError);

/** A user callback (`beforeSend`, `user`, `brand`, `context`, `onDrop`) threw or returned garbage. */
export class CallbackError extends AuthentikEventsError {
  readonly callback: string;
  constructor(callback: string, message: string, cause?: unknown) {
    super('ERR_AUTHENTIK_EVENTS_CALLBACK', `${callback}: ${message}`, { cause });
    this.name = 'CallbackError';
    this.callback = callback;
  }

  static override [Symbol.hasInstance](value: unknown): value is CallbackError {
    return hasBrand(value, brands.CallbackError);
  }
}
brand(CallbackError, brands.CallbackError);

/** A warning that the client is degraded (queue full, server unreachable); reported once per episode. */
export class DegradedError extends AuthentikEventsError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'DegradedError';
  }

  static override [Symbol.hasInstance](value: unknown): value is DegradedError {
    return hasBrand(value, brands.DegradedError);
  }
}
brand(DegradedError, brands.DegradedError);

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
