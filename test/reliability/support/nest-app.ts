import type { AddressInfo } from 'node:net';
import type { RequestEvents } from '@authentik-events/core';
import { AuthentikEvents, AuthentikEventsModule } from '@authentik-events/nestjs';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  NotFoundException,
  Param,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { type AppOptions, type AppUnderTest, runRoute } from './app-parts.js';

const APP = Symbol('app-under-test');
interface AppState {
  options: AppOptions;
  appErrors: unknown[];
}

/** Sets the request's user as Passport's guards do. */
@Injectable()
class RequestUserGuard implements CanActivate {
  constructor(@Inject(APP) private readonly state: AppState) {}

  canActivate(context: ExecutionContext): boolean {
    const { requestUser } = this.state.options;
    if (requestUser) context.switchToHttp().getRequest<{ user?: unknown }>().user = requestUser;
    return true;
  }
}

/** The service as the routes' `events`: Nest's app code emits through it. */
function requestEventsOf(service: AuthentikEvents): RequestEvents {
  return {
    emit: (action, options) => service.emit(action, options),
    get requestId() {
      return service.request?.requestId ?? '';
    },
  };
}

@Controller()
class AppUnderTestController {
  constructor(
    @Inject(AuthentikEvents) private readonly events: AuthentikEvents,
    @Inject(APP) private readonly state: AppState,
  ) {}

  @Get()
  root() {
    return 'ok';
  }

  @Get(':path')
  route(@Param('path') path: string) {
    const handler = this.state.options.routes?.[`/${path}`];
    if (handler === undefined) throw new NotFoundException();
    runRoute(handler, requestEventsOf(this.events), this.state.appErrors);
    return 'ok';
  }
}

/** A Nest application with the module, on Express or Fastify. */
export async function startNest(
  platform: 'nest-express' | 'nest-fastify',
  options: AppOptions,
  appErrors: unknown[],
): Promise<AppUnderTest> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthentikEventsModule.forRoot(options.adapter)],
    controllers: [AppUnderTestController],
    providers: [
      { provide: APP, useValue: { options, appErrors } },
      { provide: APP_GUARD, useClass: RequestUserGuard },
    ],
  }).compile();
  const app =
    platform === 'nest-express'
      ? moduleRef.createNestApplication<NestExpressApplication>(new ExpressAdapter(), {
          logger: false,
        })
      : moduleRef.createNestApplication(
          new FastifyAdapter({ trustProxy: options.trustProxy ?? false }),
          { logger: false },
        );
  if (platform === 'nest-express' && options.trustProxy)
    (app as NestExpressApplication).set('trust proxy', true);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const client = app.get(AuthentikEvents).client;
  return {
    framework: platform,
    url: `http://127.0.0.1:${port}`,
    client,
    appErrors,
    async close(timeoutMs) {
      // The module closes its client on shutdown with the default deadline; close() is
      // idempotent and the first call decides, so the test's deadline goes first.
      const report = await client.close({ timeoutMs });
      await app.close();
      return report;
    },
  };
}
