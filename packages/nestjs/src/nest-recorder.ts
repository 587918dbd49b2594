import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type AdapterOptions,
  createRecorder,
  expressReader,
  fastifyReader,
  type Recorder,
  type RequestReader,
  type RequestScope,
} from '@authentik-events/core';

export const PACKAGE_NAME = '@authentik-events/nestjs';
/** The injection token of the module's one recorder. */
export const NEST_RECORDER = Symbol('authentik-events:nest-recorder');

/** The HTTP platforms whose requests the module records. */
export type Platform = 'express' | 'fastify';
// The request of either platform; the reader in use knows which.
type AnyRequest = object;
type Scope = RequestScope<AnyRequest>;

/** The module's recorder, and where it keeps the request being handled now. */
export interface NestRecorder {
  readonly recorder: Recorder<AnyRequest>;
  /**
   * The scope of the request this code runs for: entered by the platform's hooks around the
   * rest of the request, so a singleton service finds it without request-scoped providers.
   */
  readonly current: AsyncLocalStorage<Scope>;
  /** Starts the request's scope (once: a second call returns the first scope). */
  start(request: AnyRequest): Scope;
  /** The scope of a request started earlier, if any. */
  scopeOf(request: AnyRequest): Scope | undefined;
  /** The platform the app runs on, told by the module when it installs itself. */
  usePlatform(platform: Platform): void;
}

const READERS: Record<Platform, RequestReader<never>> = {
  express: expressReader as RequestReader<never>,
  fastify: fastifyReader as RequestReader<never>,
};

/**
 * The platform's reader, chosen once the platform is known: the recorder is made when Nest
 * creates the module's providers, which (under `Test.createTestingModule`) is before the
 * application and its HTTP adapter exist.
 */
function platformReader(platform: {
  reader: RequestReader<AnyRequest>;
}): RequestReader<AnyRequest> {
  return {
    method: (request) => platform.reader.method(request),
    url: (request) => platform.reader.url(request),
    ip: (request) => platform.reader.ip(request),
    host: (request) => platform.reader.host(request),
    header: (request, name) => platform.reader.header(request, name),
    user: (request) => platform.reader.user(request),
    trustsProxy: (request) => platform.reader.trustsProxy(request),
    requestId: (request) => platform.reader.requestId?.(request),
  };
}

/** Checks the options (a `ConfigError` naming a wrong one) and makes the module's recorder. */
export function createNestRecorder(options: unknown): NestRecorder {
  const platform = { reader: READERS.express as RequestReader<AnyRequest> };
  const recorder = createRecorder<AnyRequest>(
    options as AdapterOptions<AnyRequest>,
    platformReader(platform),
    PACKAGE_NAME,
    // Given to forRoot() beside the adapter options; the module reads it itself.
    ['isGlobal'],
  );
  const scopes = new WeakMap<AnyRequest, Scope>();
  return {
    recorder,
    current: new AsyncLocalStorage<Scope>(),
    start(request) {
      let scope = scopes.get(request);
      if (scope === undefined) {
        scope = recorder.start(request);
        scopes.set(request, scope);
      }
      return scope;
    },
    scopeOf: (request) => scopes.get(request),
    usePlatform(name) {
      platform.reader = READERS[name] as RequestReader<AnyRequest>;
    },
  };
}
