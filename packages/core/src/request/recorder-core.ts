import type { EventAction } from '../actions.js';
import type { EventClient } from '../client.js';
import { CallbackError, describeError } from '../errors.js';
import { flatRandomUUID } from '../flat-uuid.js';
import { absorbThenable } from '../hook-result.js';
import { activeTraceIds, addTraceIds } from '../tracing/trace-ids.js';
import type { AuthentikBrand, AuthentikUser, EmitInput, EventClass } from '../types.js';
import type { AdapterOptions, RequestReader } from './adapter-options.js';
import { brandFromHost } from './brand-match.js';
import type { BrandLookup, Lookup, UserPkLookup } from './lookups.js';
import { toAuthentikUser } from './map-user.js';
import { pathOf, queryArgs } from './query-args.js';
import type { RequestScope } from './request-scope.js';
import { compileSampler, type Sampler } from './sample-requests.js';

export interface FinishFacts {
  status: number | undefined;
  aborted: boolean;
  durationMs: number;
  error: unknown;
}

/**
 * Room reserved in the queue for what a lookup adds to a held event (a pk, a brand from the
 * list); an event the lookup made larger than that goes as it was held.
 */
const LOOKUP_RESULT_BYTES = 1024;

/** A longer id is no id a proxy or framework made: a new one is made instead. */
const MAX_REQUEST_ID_LENGTH = 200;

/** Turns a request (through the adapter's reader) into events: the mapping every adapter shares. */
export class RecorderCore<R> {
  private readonly requestIdHeader: string;
  private readonly trustRequestIdHeader: boolean | undefined;
  /** How many of the app's callbacks are running now (they may call `emit` themselves). */
  private callbackDepth = 0;
  /** `autoLog.sample`, compiled; `undefined` when every request is recorded. */
  private readonly sampled: Sampler<R> | undefined;

  constructor(
    readonly client: EventClient,
    private readonly options: AdapterOptions<R>,
    private readonly reader: RequestReader<R>,
    private readonly lookups: { user?: UserPkLookup; brand?: BrandLookup },
  ) {
    this.requestIdHeader = (options.requestId?.header ?? 'x-request-id').toLowerCase();
    this.trustRequestIdHeader = options.requestId?.trustHeader;
    const autoLog = options.autoLog;
    this.sampled =
      typeof autoLog === 'object'
        ? compileSampler(autoLog.sample, (e) => client.report(e))
        : undefined;
  }

  /**
   * The request's id: the framework's own, else the header when the request's direct peer is a
   * proxy the app trusts (the framework's own decision for that peer's address: with Express's
   * `trust proxy` set to an address, a subnet or a function, a client that connects directly is
   * not trusted), else a new UUID. Read by the app's route too, so it never throws.
   */
  requestIdOf(request: R): string {
    try {
      const own = this.reader.requestId?.(request);
      if (own && own.length <= MAX_REQUEST_ID_LENGTH) return own;
      // A client could forge the header; it counts only from a proxy the app trusts.
      if (this.trustRequestIdHeader ?? this.reader.trustsProxy(request)) {
        const header = this.reader.header(request, this.requestIdHeader);
        if (header && header.length <= MAX_REQUEST_ID_LENGTH) return header;
      }
    } catch {
      // A trust-proxy function of the app's that throws trusts nobody.
    }
    return flatRandomUUID();
  }

  /** `req.authentik.emit(action, options)`: never throws into the route, whatever it is given. */
  emitFor(scope: RequestScope<R>, action: EventAction, options: unknown): boolean {
    const given = this.readEmitOptions(action, options);
    if (typeof given === 'boolean') return given;
    return this.send(scope, 'audit', action, given.context, given.user);
  }

  /**
   * An app's event outside any request (the NestJS service's `emit` in a job): what it was
   * given, and the brand when it is a static one (a brand function or lookup needs a request).
   * Never throws, whatever it is given.
   */
  emitWithoutRequest(action: EventAction, options: unknown): boolean {
    const given = this.readEmitOptions(action, options);
    if (typeof given === 'boolean') return given;
    if (this.callbackDepth > 0) return this.refuseFromCallback(action);
    const input: EmitInput = { action, context: given.context };
    if (given.user !== undefined) input.user = given.user;
    const brand = this.options.brand;
    if (brand !== null && typeof brand === 'object' && !('lookup' in brand)) input.brand = brand;
    return this.client.emit(input);
  }

  /**
   * The context (copied) and user of an app's `emit`, or the client's verdict when they cannot
   * be used: a context that is no object is refused by the client with its reason, as
   * `client.emit()` refuses it; one that cannot be read (a throwing getter, a revoked Proxy) is
   * refused here.
   */
  private readEmitOptions(
    action: EventAction,
    options: unknown,
  ): { context: Record<string, unknown>; user: AuthentikUser | undefined } | boolean {
    try {
      const given = (options ?? {}) as { context?: unknown; user?: AuthentikUser };
      const raw = given.context;
      const user = given.user;
      if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
        return this.client.emit({ action, context: raw } as EmitInput);
      }
      return { context: { ...(raw as Record<string, unknown> | undefined) }, user };
    } catch (error) {
      return this.refuseUnreadable(action, 'audit', error);
    }
  }

  recordFinished(scope: RequestScope<R>, facts: FinishFacts): void {
    const base: Record<string, unknown> = {
      status: facts.status ?? null,
      duration_ms: facts.durationMs,
    };
    if (facts.aborted) base.aborted = true;
    // Left out by sampling: no event at all, only counted. The request log is the one event of
    // a request that may be shed: under overload it would be refused anyway, so it is counted
    // without being built. What the app emits, and the system_exception below, are audit
    // events, which a full queue makes room for.
    if (this.options.autoLog !== false && this.sample(scope.request) && !this.client.shedIfFull())
      this.send(scope, 'request_log', 'custom_http_request', { ...base });
    // A 5xx, or an error that did not become a 4xx answer (a 400 for a bad JSON body is the
    // client's mistake, not the system's): what authentik itself records as system_exception.
    const serverSide = facts.status === undefined || facts.status >= 500;
    const failed = serverSide && (facts.error !== undefined || facts.status !== undefined);
    if (failed)
      this.send(scope, 'audit', 'system_exception', { ...base, ...this.describeFailure(facts) });
  }

  /** Whether `autoLog.sample` keeps this request's log; one left out is counted as such. */
  private sample(request: R): boolean {
    if (this.sampled === undefined || this.sampled(request)) return true;
    this.client.countSampledOut();
    return false;
  }

  private describeFailure(facts: FinishFacts): Record<string, unknown> {
    const { error } = facts;
    if (error === undefined) return { message: `the response had status ${facts.status}` };
    if (error instanceof Error) {
      const failure: Record<string, unknown> = { message: error.message, exception: error.name };
      if (this.options.includeStack && error.stack) failure.stack = error.stack;
      return failure;
    }
    return { message: describeError(error) };
  }

  /** An emit from inside one of the app's callbacks, which run for every event: it would recurse. */
  private refuseFromCallback(action: EventAction, eventClass: EventClass = 'audit'): false {
    return this.client.refuse(
      { action, eventClass },
      'emit() was called from inside a context, user, brand or clientIp callback, which run for every event: it would recurse',
    );
  }

  /** What the app passed could not be read: counted and reported like a refused `client.emit()`. */
  private refuseUnreadable(action: EventAction, eventClass: EventClass, error: unknown): false {
    return this.client.refuse(
      { action, eventClass },
      `the event could not be read: ${describeError(error)}`,
    );
  }

  /** Emits an event of the request; what cannot be read is refused as `invalid`, never thrown. */
  private send(
    scope: RequestScope<R>,
    eventClass: EventClass,
    action: EventAction,
    context: Record<string, unknown>,
    explicitUser?: AuthentikUser,
  ): boolean {
    // An emit from inside the app's context/user/brand/clientIp callback would run the same
    // callback again, which emits again: refused (counted and reported), never recursed into.
    if (this.callbackDepth > 0) return this.refuseFromCallback(action, eventClass);
    try {
      return this.fillAndEmit(scope, eventClass, action, context, explicitUser);
    } catch (error) {
      // Runs in response listeners too, where a throw would crash the process.
      return this.refuseUnreadable(action, eventClass, error);
    }
  }

  /** Fills in what every event of a request carries, then emits (after lookups, if any are pending). */
  private fillAndEmit(
    scope: RequestScope<R>,
    eventClass: EventClass,
    action: EventAction,
    context: Record<string, unknown>,
    explicitUser?: AuthentikUser,
  ): boolean {
    const { request } = scope;
    const extra = this.extraContext(request);
    const url = this.reader.url(request);
    const httpRequest: Record<string, unknown> = {
      path: pathOf(url),
      method: this.reader.method(request),
      user_agent: this.reader.header(request, 'user-agent') ?? '',
      request_id: scope.requestId,
    };
    const args = queryArgs(url);
    if (args) httpRequest.args = args;
    const eventContext = extra
      ? { ...extra, ...context, http_request: httpRequest }
      : { ...context, http_request: httpRequest };
    const trace = scope.traceIds ?? activeTraceIds();
    if (trace) addTraceIds(eventContext, trace);
    const input: EmitInput = {
      action,
      eventClass,
      clientIp: this.clientIp(request),
      context: eventContext,
    };
    const user = explicitUser ?? this.user(request);
    const brand = this.brand(request);
    const pk =
      user && user.pk === undefined && typeof user.username === 'string'
        ? this.lookups.user?.resolve(user.username)
        : undefined;
    if (!(brand.value instanceof Promise) && !(pk instanceof Promise))
      return this.client.emit(this.complete(input, user, brand.value, pk));
    // A lookup is on its way: the event is accepted now, as it goes if the lookup fails (counted
    // and bounded like any queued event), and completed when the lookup lands. The request
    // itself is not held up.
    const held = this.client.hold(
      this.complete(
        input,
        user,
        brand.value instanceof Promise ? brand.withoutLookup : brand.value,
        pk instanceof Promise ? undefined : pk,
      ),
      LOOKUP_RESULT_BYTES,
    );
    if (!held) return false;
    Promise.all([brand.value, pk])
      .then(([resolvedBrand, resolvedPk]) =>
        held.complete(this.complete(input, user, resolvedBrand, resolvedPk)),
      )
      // A failed lookup, or anything thrown completing the event: it goes as it was held.
      .catch(() => held.complete());
    return true;
  }

  /** The event with the user (and its pk, once known) and the brand. */
  private complete(
    input: EmitInput,
    user: AuthentikUser | undefined,
    brand: AuthentikBrand | undefined,
    pk: number | string | undefined,
  ): EmitInput {
    const completed = { ...input };
    if (user) completed.user = pk === undefined ? user : { ...user, pk };
    if (brand) completed.brand = brand;
    return completed;
  }

  /** The `context` option's extra context; anything but a plain object would be spread key by key. */
  private extraContext(request: R): Record<string, unknown> | undefined {
    const extra = this.callback('context', () => this.options.context?.(request));
    if (extra === undefined || extra === null) return undefined;
    if (typeof extra !== 'object' || Array.isArray(extra)) {
      this.report(
        'context',
        `returned ${Array.isArray(extra) ? 'an array' : typeof extra}, expected an object`,
      );
      return undefined;
    }
    return this.copyOf('context', extra);
  }

  private clientIp(request: R): string | null {
    const override = this.options.clientIp;
    const ip = override
      ? this.callback('clientIp', () => override(request))
      : this.reader.ip(request);
    return typeof ip === 'string' ? ip : null;
  }

  private user(request: R): AuthentikUser | undefined {
    const custom = this.options.user;
    if (!custom) return this.conventionalUser(request);
    const user = this.callback('user', () => custom(request));
    if (user === undefined || user === null) return undefined;
    if (typeof user !== 'object' || Array.isArray(user)) {
      this.report(
        'user',
        `returned ${Array.isArray(user) ? 'an array' : typeof user}, expected an object such as {pk, username, email}`,
      );
      return undefined;
    }
    return this.copyOf('user', user);
  }

  /**
   * The framework's user (`req.user`, `ctx.state.user`, …) mapped, or none when it cannot be
   * read (a getter of a session library that throws): the event goes without it, reported,
   * rather than being lost.
   */
  private conventionalUser(request: R): AuthentikUser | undefined {
    try {
      return toAuthentikUser(this.reader.user(request));
    } catch (error) {
      this.report('user', `the request's user could not be read: ${describeError(error)}`, error);
      return undefined;
    }
  }

  /** The brand, or the lookup of it and the brand used when that fails. */
  private brand(request: R): {
    value: Lookup<AuthentikBrand | undefined>;
    withoutLookup?: AuthentikBrand;
  } {
    const option = this.options.brand;
    if (option === undefined) return { value: undefined };
    if (this.lookups.brand) {
      const host = this.reader.host(request);
      if (!host) return { value: undefined };
      return { value: this.lookups.brand.resolve(host), withoutLookup: brandFromHost(host) };
    }
    const brand =
      typeof option === 'function' ? this.callback('brand', () => option(request)) : option;
    if (brand === undefined || brand === null) return { value: undefined };
    if (typeof brand !== 'object' || Array.isArray(brand)) {
      this.report('brand', `returned ${typeof brand}, expected an object such as {pk, name}`);
      return { value: undefined };
    }
    return { value: this.copyOf('brand', brand as AuthentikBrand) };
  }

  /** A shallow copy of what a callback returned, made here so a throwing getter is reported, not thrown. */
  private copyOf<T extends object>(name: string, value: T): T | undefined {
    try {
      return { ...value };
    } catch (error) {
      this.report(name, `returned an object that cannot be read: ${describeError(error)}`, error);
      return undefined;
    }
  }

  /** Whether one of the app's callbacks is running now (for the adapter's `ignore`). */
  get inCallback(): boolean {
    return this.callbackDepth > 0;
  }

  /** Runs a user callback; an error is reported and the event goes on without that part. */
  callback<T>(name: string, run: () => T): T | undefined {
    this.callbackDepth++;
    try {
      const value = run();
      if (absorbThenable(value, () => undefined)) {
        this.report(name, 'returned a Promise; callbacks must be synchronous');
        return undefined;
      }
      return value;
    } catch (error) {
      this.report(name, `threw: ${describeError(error)}`, error);
      return undefined;
    } finally {
      this.callbackDepth--;
    }
  }

  private report(name: string, message: string, cause?: unknown): void {
    this.client.report(new CallbackError(name, message, cause));
  }
}
