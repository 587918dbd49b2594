import { createEventClient, type EventClient } from '../client.js';
import { ConfigError, DegradedError, describeError } from '../errors.js';
import type { DeliveryReport } from '../types.js';
import type { AdapterOptions, RequestReader } from './adapter-options.js';
import { BrandLookup, type LookupOptions, UserPkLookup } from './lookups.js';
import { RecorderCore } from './recorder-core.js';
import { RequestScope } from './request-scope.js';

/** What an adapter holds: start a scope per request, close the client if it owns it. */
export interface Recorder<R> {
  readonly client: EventClient;
  /** `true` when the adapter created the client (and so must close it). */
  readonly ownsClient: boolean;
  start(request: R): RequestScope<R>;
  /** Closes the client if the adapter owns it; a shared client is left to its owner. */
  close(options?: { timeoutMs?: number }): Promise<DeliveryReport | undefined>;
}

function compileIgnore<R>(
  ignore: AdapterOptions<R>['ignore'],
  packageName: string,
): ((path: string, request: R) => boolean) | undefined {
  if (ignore === undefined) return undefined;
  if (typeof ignore === 'function') return ignore;
  if (!Array.isArray(ignore))
    throw new ConfigError('ignore', 'must be an array of paths/RegExps or a function');
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const patterns: RegExp[] = [];
  for (const entry of ignore) {
    if (entry instanceof RegExp) patterns.push(entry);
    else if (typeof entry === 'string' && entry.endsWith('*')) prefixes.push(entry.slice(0, -1));
    else if (typeof entry === 'string') exact.add(entry);
    else throw new ConfigError('ignore', `entries must be strings or RegExps (${packageName})`);
  }
  return (path) =>
    exact.has(path) ||
    prefixes.some((prefix) => path.startsWith(prefix)) ||
    patterns.some((pattern) => pattern.test(path));
}

function lookupOptions(value: boolean | LookupOptions | undefined): LookupOptions | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true ? {} : value;
}

/**
 * The shared part of every adapter: checks the adapter options once, creates or adopts the
 * client, and maps requests to events through the adapter's `RequestReader`.
 */
export function createRecorder<R>(
  options: AdapterOptions<R> = {},
  reader: RequestReader<R>,
  packageName: string,
): Recorder<R> {
  if (options === null || typeof options !== 'object')
    throw new ConfigError('options', `of ${packageName} must be an object`);
  for (const name of ['user', 'context', 'clientIp'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw new ConfigError(name, 'must be a function of the request');
  }
  if (
    options.brand !== undefined &&
    typeof options.brand !== 'function' &&
    options.brand !== 'lookup' &&
    (options.brand === null || typeof options.brand !== 'object')
  ) {
    throw new ConfigError(
      'brand',
      "must be a brand object, a function of the request, or 'lookup'",
    );
  }
  const ownsClient = options.client === undefined;
  const client = options.client ?? createEventClient(options);
  const ignore = compileIgnore(options.ignore, packageName);

  const reportLookup = (what: string) => {
    let reported = false;
    return (error: unknown) => {
      if (reported) return;
      reported = true;
      client.report(
        new DegradedError(
          'ERR_AUTHENTIK_EVENTS_LOOKUP',
          `${what} lookup failed (${describeError(error)}); events go on without it`,
        ),
      );
    };
  };
  const brandOption = options.brand;
  const brandLookup =
    brandOption === 'lookup' ||
    (typeof brandOption === 'object' &&
      brandOption !== null &&
      'lookup' in brandOption &&
      typeof brandOption.lookup === 'object')
      ? new BrandLookup(
          client.api,
          brandOption === 'lookup' ? {} : (brandOption.lookup as LookupOptions),
          reportLookup('brand'),
        )
      : undefined;
  const userLookupOptions = lookupOptions(options.userLookup);
  const userLookup = userLookupOptions
    ? new UserPkLookup(client.api, userLookupOptions, reportLookup('user'))
    : undefined;
  const core = new RecorderCore(client, options, reader, { user: userLookup, brand: brandLookup });

  return {
    client,
    ownsClient,
    start(request) {
      let recording = true;
      // Not from inside a callback: an `ignore` that reaches for the request's `authentik`
      // (Fastify makes the scope on first access) would start the request again, and again.
      if (ignore && !core.inCallback) {
        const path = core.callback('ignore', () => reader.url(request).split('?', 1)[0] as string);
        if (path !== undefined) recording = !core.callback('ignore', () => ignore(path, request));
      }
      return new RequestScope(core, request, recording);
    },
    async close(closeOptions) {
      if (!ownsClient) return undefined;
      // Events still waiting for a brand/user lookup are emitted first (lookups time out on their own).
      await core.lookupsSettled();
      return client.close(closeOptions);
    },
  };
}
