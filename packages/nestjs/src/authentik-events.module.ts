import {
  type DynamicModule,
  Inject,
  Module,
  type NestModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_INTERCEPTOR, HttpAdapterHost } from '@nestjs/core';
import { AuthentikEventsInterceptor } from './authentik-events.interceptor.js';
import { AuthentikEvents } from './authentik-events.service.js';
import { checkAsyncOptions, isGlobalOf } from './check-module-options.js';
import type {
  AuthentikEventsModuleAsyncOptions,
  AuthentikEventsModuleOptions,
  NestHttpRequest,
} from './module-options.js';
import { createNestRecorder, NEST_RECORDER, type NestRecorder } from './nest-recorder.js';
import { installOnPlatform } from './platforms/install.js';

/**
 * Records every request of a Nest application (on `@nestjs/platform-express` or
 * `@nestjs/platform-fastify`), its errors and 5xx answers, and the app's own events
 * (`AuthentikEvents.emit`) as authentik events. Global by default.
 *
 * @example
 * @Module({ imports: [AuthentikEventsModule.forRoot({ url: process.env.AUTHENTIK_URL, token: process.env.AUTHENTIK_TOKEN, app: 'shop' })] })
 * export class AppModule {}
 */
@Module({})
export class AuthentikEventsModule implements NestModule, OnApplicationShutdown {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(NEST_RECORDER) private readonly nest: NestRecorder,
  ) {}

  /**
   * Nest calls this while it registers middleware, before any route is registered: the one
   * moment at which the platform is known and a hook still comes before every route.
   */
  configure(): void {
    installOnPlatform(this.adapterHost.httpAdapter, this.nest);
  }

  /** After the HTTP server has stopped: flushes and closes a client the module created. */
  async onApplicationShutdown(): Promise<void> {
    await this.nest.recorder.close();
  }

  /** The module with these options, checked when Nest creates it (a `ConfigError` naming a wrong one). */
  static forRoot<R = NestHttpRequest>(
    options: AuthentikEventsModuleOptions<R> = {},
  ): DynamicModule {
    return moduleWith(isGlobalOf(options), {
      provide: NEST_RECORDER,
      useFactory: () => createNestRecorder(options),
    });
  }

  /**
   * The module with options a factory makes from other providers.
   *
   * @example
   * AuthentikEventsModule.forRootAsync({
   *   imports: [ConfigModule],
   *   inject: [ConfigService],
   *   useFactory: (config: ConfigService) => ({ url: config.get('AUTHENTIK_URL'), token: config.get('AUTHENTIK_TOKEN') }),
   * })
   */
  static forRootAsync<R = NestHttpRequest>(
    options: AuthentikEventsModuleAsyncOptions<R>,
  ): DynamicModule {
    const { imports, inject, useFactory, isGlobal } = checkAsyncOptions(options);
    const module = moduleWith(isGlobal, {
      provide: NEST_RECORDER,
      useFactory: async (...args: unknown[]) => createNestRecorder(await useFactory(...args)),
      inject,
    });
    return { ...module, imports };
  }
}

function moduleWith(isGlobal: boolean, recorder: Provider): DynamicModule {
  return {
    module: AuthentikEventsModule,
    global: isGlobal,
    providers: [
      recorder,
      AuthentikEvents,
      { provide: APP_INTERCEPTOR, useClass: AuthentikEventsInterceptor },
    ],
    exports: [AuthentikEvents],
  };
}
