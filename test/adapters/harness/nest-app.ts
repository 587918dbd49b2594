import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthentikEvents, AuthentikEventsModule } from '@authentik-events/nestjs';
import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  type INestApplication,
  Inject,
  Injectable,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { once } from './listen.js';
import {
  ASYNC_ERROR_MESSAGE,
  type LoginBody,
  loginOutcome,
  Signal,
  SYNC_ERROR_MESSAGE,
  untilClosed,
} from './routes.js';
import type { AppHandle, EventsOptions, HarnessOptions, RequestListener } from './types.js';

const HARNESS = Symbol('harness');

/**
 * The AuthentikEvents service of the Nest app started last: what a Nest app's own code (a
 * callback of the module's options among it) calls to emit. The tests start one app at a time.
 */
export const lastNestEvents: { service?: AuthentikEvents } = {};
interface HarnessState {
  options: HarnessOptions;
  slow: Signal;
}

/** What Passport's AuthGuard does: authenticates, and leaves the user in `request.user`. */
@Injectable()
class SessionGuard implements CanActivate {
  constructor(@Inject(HARNESS) private readonly harness: HarnessState) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ user?: unknown }>();
    request.user = this.harness.options.sessionUser;
    return true;
  }
}

type AnyResponse = ServerResponse | { raw: ServerResponse };
const rawResponse = (res: AnyResponse) => ('raw' in res ? res.raw : res);

@Controller()
class ScenarioController {
  constructor(
    @Inject(AuthentikEvents) private readonly events: AuthentikEvents,
    @Inject(HARNESS) private readonly harness: HarnessState,
  ) {}

  @Get('hello')
  hello(@Req() request: { id?: string }) {
    return { requestId: this.events.request?.requestId, fastifyRequestId: request.id };
  }

  @Get('health')
  health() {
    return 'ok';
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginBody | undefined) {
    const outcome = loginOutcome(body);
    this.events.emit(outcome.action, outcome.options);
    // The Nest way to answer 401: an HttpException, which is not a system_exception.
    if (outcome.status === 401) throw new UnauthorizedException();
    return { ok: true };
  }

  @Post('orders')
  @HttpCode(201)
  orders() {
    return { emitted: this.events.emit('custom_order_placed', { context: { order_id: 'A-1' } }) };
  }

  @Get('me')
  @UseGuards(SessionGuard)
  me() {
    return { ok: true };
  }

  @Get('boom')
  boom() {
    throw new Error(SYNC_ERROR_MESSAGE);
  }

  @Get('boom-async')
  async boomAsync() {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error(ASYNC_ERROR_MESSAGE);
  }

  @Get('unavailable')
  @HttpCode(503)
  unavailable() {
    return { detail: 'maintenance' };
  }

  @Get('slow')
  async slowRoute(@Res({ passthrough: true }) res: AnyResponse) {
    this.harness.slow.fire();
    await untilClosed(rawResponse(res));
    return 'late';
  }
}

export type NestPlatform = 'nest-express' | 'nest-fastify';

/** Makes (but does not start) a Nest application with the module, the way its README says. */
export async function createNestApp(
  platform: NestPlatform,
  options: EventsOptions,
  harness: HarnessOptions,
  slow = new Signal(),
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthentikEventsModule.forRoot(options)],
    controllers: [ScenarioController],
    providers: [{ provide: HARNESS, useValue: { options: harness, slow } }, SessionGuard],
  }).compile();
  if (platform === 'nest-express') {
    const app = moduleRef.createNestApplication<NestExpressApplication>(new ExpressAdapter(), {
      logger: false,
    });
    if (harness.trustProxy !== undefined) app.set('trust proxy', harness.trustProxy);
    return app;
  }
  const adapter = new FastifyAdapter({
    // Fastify 5's types leave out the hop count it still takes (and treats as trusting no peer).
    trustProxy: (harness.trustProxy ?? false) as boolean,
    ...(harness.requestIdHeader === undefined ? {} : { requestIdHeader: harness.requestIdHeader }),
    ...(harness.wrapListener === undefined
      ? {}
      : { serverFactory: wrappedServer(harness.wrapListener) }),
  });
  return moduleRef.createNestApplication(adapter, { logger: false });
}

/** Fastify's `serverFactory` for a listener wrapped as `wrap` says. */
function wrappedServer(wrap: NonNullable<HarnessOptions['wrapListener']>) {
  return (handler: RequestListener) => createServer(wrap(handler));
}

/** A Nest application on either platform, listening on a real socket. */
export async function startNestApp(
  platform: NestPlatform,
  options: EventsOptions,
  harness: HarnessOptions,
): Promise<AppHandle> {
  const slow = new Signal();
  const app = await createNestApp(platform, options, harness, slow);
  // On Express, a listener wrapper (a tracer's server span) needs a server made around the app.
  let wrapped: Server | undefined;
  try {
    if (platform === 'nest-express' && harness.wrapListener) {
      await app.init();
      wrapped = createServer(harness.wrapListener(app.getHttpAdapter().getInstance()));
      await new Promise<void>((resolve) => wrapped?.listen(0, '127.0.0.1', resolve));
    } else await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const { port } = (wrapped ?? app.getHttpServer()).address() as AddressInfo;
  lastNestEvents.service = app.get(AuthentikEvents);
  return {
    framework: platform,
    baseUrl: `http://127.0.0.1:${port}`,
    client: app.get(AuthentikEvents).client,
    slowStarted: () => slow.wait(),
    // Nest's own shutdown: stops the server, then the module closes (and flushes) its client.
    shutdown: once(async () => {
      if (wrapped) await new Promise((resolve) => wrapped?.close(resolve));
      await app.close();
    }),
  };
}
