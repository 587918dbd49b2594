import { createEventClient, type EventClient } from '../client.js';
import { CallbackError, ConfigError, describeError } from '../errors.js';
import type { DeliveryReport } from '../types.js';
import type { AdapterOptions, RequestReader } from './adapter-options.js';
import { type ResolvedLookupOptions, resolveLookupOptions } from './lookup-options.js';
import { lookupReports } from './lookup-reports.js';
import { BrandLookup, UserPkLookup } from './lookups.js';
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

/** The brand lookup's options when `brand` asks for a lookup (`'lookup'` or `{ lookup: {...} }`). */
function brandLookupOptions(brand: unknown): ResolvedLookupOptions | undefined {
  if (brand === 'lookup') return resolveLookupOptions(brand, 'brand');
  if (brand !== null && typeof brand === 'object' && 'lookup' in brand)
    return resolveLookupOptions((brand as { lookup: unknown }).lookup, 'brand.lookup');
  return undefined;
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
  // Checked before a client is made, so that a wrong option leaves nothing running.
  const brandLookupOptionsGiven = brandLookupOptions(options.brand);
  const userLookupOptions =
    options.userLookup === undefined || options.userLookup === false
      ? undefined
      : resolveLookupOptions(options.userLookup, 'userLookup');
  const ownsClient = options.client === undefined;
  const client = options.client ?? createEventClient(options);
  const ignore = compileIgnore(options.ignore, packageName);

  const brandLookup =
    brandLookupOptionsGiven &&
    new BrandLookup(
      client.api,
      brandLookupOptionsGiven,
      lookupReports(client, client.api, 'brand'),
    );
  const userLookup =
    userLookupOptions &&
    new UserPkLookup(client.api, userLookupOptions, lookupReports(client, client.api, 'user'));
  const core = new RecorderCore(client, options, reader, { user: userLookup, brand: brandLookup });

  return {
    client,
    ownsClient,
    start(request) {
      let recording = true;
      if (ignore) {
        try {
          recording = !ignore(reader.url(request).split('?', 1)[0] as string, request);
        } catch (error) {
          client.report(new CallbackError('ignore', `threw: ${describeError(error)}`, error));
        }
      }
      return new RequestScope(core, request, recording);
    },
    async close(closeOptions) {
      if (!ownsClient) return undefined;
      // The client's deadline covers the lookups too: past half of it, it aborts those still
      // running and sends the events held for them without them.
      return client.close(closeOptions);
    },
  };
}
