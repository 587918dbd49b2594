import type { IncomingHttpHeaders } from 'node:http';
import type { AdapterOptions } from '@authentik-events/core';
import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';

/**
 * What a request offers on either platform: an Express request (`@nestjs/platform-express`)
 * or a Fastify request (`@nestjs/platform-fastify`). Name your platform's own type as the
 * module's type parameter to get all of it: `AuthentikEventsModule.forRoot<FastifyRequest>(…)`.
 */
export interface NestHttpRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  ip?: string | undefined;
  hostname?: string | undefined;
  /** What Passport's guards (and most auth guards) set. */
  user?: unknown;
}

/** The adapter options every framework takes, and the module's own. */
export interface AuthentikEventsModuleOptions<R = NestHttpRequest> extends AdapterOptions<R> {
  /**
   * Make `AuthentikEvents` injectable in every module without importing this one there.
   * @default true
   */
  isGlobal?: boolean;
}

/** `forRootAsync`: the options made by a factory, from other providers (`ConfigService`). */
export interface AuthentikEventsModuleAsyncOptions<R = NestHttpRequest> {
  /** Modules whose providers the factory needs (`ConfigModule`). */
  imports?: ModuleMetadata['imports'];
  /** The providers handed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
  /** Makes the adapter options (not `isGlobal`, which is given here); may be async. */
  useFactory: (
    ...args: never[]
  ) => AdapterOptions<R> | undefined | Promise<AdapterOptions<R> | undefined>;
  /** @default true */
  isGlobal?: boolean;
}
