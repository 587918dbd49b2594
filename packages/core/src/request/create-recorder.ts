import { createEventClient, type EventClient } from '../client.js';
import { CallbackError, DegradedError, describeError } from '../errors.js';
import type { DeliveryReport } from '../types.js';
import type { AdapterOptions, RequestReader } from './adapter-options.js';
import { checkAdapterOptions } from './adapter-schema.js';
import { compileIgnore } from './ignore-matcher.js';
import { BrandLookup, type LookupOptions, UserPkLookup } from './lookups.js';
import { RecorderCore } from './recorder-core.js';
import { RequestScope } from './request-scope.js';

/** What an adapter holds: start a scope per request, close the client if it owns it. */
export interface Recorder<R> {
  readonly client: EventClient;
  /** `true` when the adapter created the client (and so must close it). */
  readonly ownsClient: boolean;
  /** The adapter options as checked at construction (a copy: later changes to the app's object do not count). */
  readonly options: AdapterOptions<R>;
  start(request: R): RequestScope<R>;
  /** Closes the client if the adapter owns it; a shared client is left to its owner. */
  close(options?: { timeoutMs?: number }): Promise<DeliveryReport | undefined>;
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
  given: AdapterOptions<R> = {},
  reader: RequestReader<R>,
  packageName: string,
  /** Keys the framework itself puts in the options object (Fastify's `prefix`), not ours to check. */
  frameworkKeys: readonly string[] = [],
): Recorder<R> {
  const checked = checkAdapterOptions<R>(given, packageName, frameworkKeys);
  // Only the checked copy is read from here on: a later change to the app's object counts for nothing.
  const options = checked.adapter;
  const ownsClient = options.client === undefined;
  const client = options.client ?? createEventClient(checked.client);
  const ignore = compileIgnore<R>(options.ignore);

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
    options,
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
      // Events still waiting for a brand/user lookup are emitted first (lookups time out on their own).
      await core.lookupsSettled();
      return client.close(closeOptions);
    },
  };
}
