import { ConfigError } from '@authentik-events/core';
import { type NestRecorder, PACKAGE_NAME } from '../nest-recorder.js';
import { type ExpressAppLike, installOnExpress } from './express-platform.js';
import { type FastifyInstanceLike, installOnFastify } from './fastify-platform.js';

/** What the module uses of Nest's HTTP adapter. */
export interface HttpAdapterLike {
  getType(): string;
  getInstance(): unknown;
}

/** Marks the platform's app once the module is installed on it: twice would record every request twice. */
const kInstalled = Symbol.for('@authentik-events/nestjs.installed');

/**
 * Installs the module on the app's HTTP platform. Without one (a microservice, a standalone
 * application context) there are no requests, and `AuthentikEvents.emit` records events
 * without request facts.
 */
export function installOnPlatform(adapter: HttpAdapterLike | undefined, nest: NestRecorder): void {
  if (adapter === undefined) return;
  const type = adapter.getType();
  const instance = adapter.getInstance() as Record<symbol, unknown>;
  if (instance[kInstalled]) {
    throw new ConfigError(
      'forRoot',
      `of ${PACKAGE_NAME}: AuthentikEventsModule.forRoot() (or forRootAsync()) is imported more than once in this application, which would record every request twice; import it once, in the root module (it is global)`,
    );
  }
  if (type === 'express') {
    nest.usePlatform('express');
    installOnExpress(instance as unknown as ExpressAppLike, nest);
  } else if (type === 'fastify') {
    nest.usePlatform('fastify');
    installOnFastify(instance as unknown as FastifyInstanceLike, nest);
  } else {
    nest.recorder.client.report(
      new ConfigError(
        'platform',
        `of ${PACKAGE_NAME}: the HTTP platform "${type}" is not supported (only @nestjs/platform-express and @nestjs/platform-fastify): its requests are not recorded; AuthentikEvents.emit() still works, without request facts`,
      ),
    );
    return;
  }
  Object.defineProperty(instance, kInstalled, { value: true });
}
