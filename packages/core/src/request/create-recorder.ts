import type { EventAction } from '../actions.js';
import { createEventClient, type EventClient } from '../client.js';
import type { DeliveryReport } from '../types.js';
import type { AdapterOptions, RequestReader } from './adapter-options.js';
import {
  type AdapterSpecificOption,
  type CheckedSpecificOptions,
  checkAdapterOptions,
} from './adapter-schema.js';
import { compileIgnore } from './ignore-matcher.js';
import { type ResolvedLookupOptions, resolveLookupOptions } from './lookup-options.js';
import { lookupReports } from './lookup-reports.js';
import { BrandLookup, UserPkLookup } from './lookups.js';
import { RecorderCore } from './recorder-core.js';
import { type EmitOptions, RequestScope } from './request-scope.js';

/** What an adapter holds: start a scope per request, close the client if it owns it. */
export interface Recorder<R> {
  readonly client: EventClient;
  /** `true` when the adapter created the client (and so must close it). */
  readonly ownsClient: boolean;
  /** The adapter options as checked at construction (a copy: later changes to the app's object do not count). */
  readonly options: AdapterOptions<R>;
  start(request: R): RequestScope<R>;
  /**
   * An event of the app's own outside any request (a job, a start-up): the action, context
   * and user it is given, and a static `brand`; never throws, whatever it is given.
   */
  emit(action: EventAction, options?: EmitOptions): boolean;
  /** Closes the client if the adapter owns it; a shared client is left to its owner. */
  close(options?: { timeoutMs?: number }): Promise<DeliveryReport | undefined>;
}

/** The brand lookup's options when `brand` asks for a lookup (`'lookup'` or `{ lookup: {...} }`). */
function brandLookupOptions(brand: unknown): ResolvedLookupOptions | undefined {
  if (brand === 'lookup') return resolveLookupOptions(brand, 'brand');
  if (brand !== null && typeof brand === 'object' && 'lookup' in brand)
    return resolveLookupOptions((brand as { lookup: unknown }).lookup, 'brand.lookup');
  return undefined;
}

/** A reader, or what makes one from the adapter-specific options once they are checked (Hono's `trustProxy`). */
export type ReaderSource<R> =
  | RequestReader<R>
  | ((specific: CheckedSpecificOptions) => RequestReader<R>);

/**
 * The shared part of every adapter: checks the adapter options once, creates or adopts the
 * client, and maps requests to events through the adapter's `RequestReader`.
 */
export function createRecorder<R>(
  given: AdapterOptions<R> = {},
  readerSource: ReaderSource<R>,
  packageName: string,
  /** Keys the framework itself puts in the options object (Fastify's `prefix`), not ours to check. */
  frameworkKeys: readonly string[] = [],
  /** Options only this adapter takes (checked here all the same): see `AdapterSpecificOption`. */
  specific: readonly AdapterSpecificOption[] = [],
): Recorder<R> {
  const checked = checkAdapterOptions<R>(given, packageName, frameworkKeys, specific);
  const reader = typeof readerSource === 'function' ? readerSource(checked.specific) : readerSource;
  // Only the checked copy is read from here on: a later change to the app's object counts for nothing.
  const options = checked.adapter;
  // Checked before a client is made, so that a wrong option leaves nothing running.
  const brandLookupOptionsGiven = brandLookupOptions(options.brand);
  const userLookupOptions =
    options.userLookup === undefined || options.userLookup === false
      ? undefined
      : resolveLookupOptions(options.userLookup, 'userLookup');
  const ownsClient = options.client === undefined;
  const client = options.client ?? createEventClient(checked.client);
  const ignore = compileIgnore<R>(options.ignore);

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
    options,
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
    emit(action, emitOptions) {
      return core.emitWithoutRequest(action, emitOptions);
    },
    async close(closeOptions) {
      if (!ownsClient) return undefined;
      // The client's deadline covers the lookups too: past half of it, it aborts those still
      // running and sends the events held for them without them.
      return client.close(closeOptions);
    },
  };
}
