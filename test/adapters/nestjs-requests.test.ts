import { AuthentikEvents, AuthentikEventsModule } from '@authentik-events/nestjs';
import type { StoredEvent } from '@authentik-events/testing';
import { startFakeAuthentik } from '@authentik-events/testing';
import {
  Body,
  type CanActivate,
  Controller,
  ForbiddenException,
  Get,
  HttpException,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { send } from './harness/http-client.js';
import {
  NEST_PLATFORMS,
  type RunningNestApp,
  startNestModuleApp,
} from './harness/nest-module-app.js';
import { afterThisTest, only, requestEvent } from './harness/scenario.js';

const pathOf = (event: StoredEvent) => (event.context.http_request as { path: string }).path;
const requestIdOf = (event: StoredEvent) =>
  (event.context.http_request as { request_id: string }).request_id;

/** Emits, then refuses: where an app records a denied access before Nest answers 403. */
@Injectable()
class DenyGuard implements CanActivate {
  constructor(@Inject(AuthentikEvents) private readonly events: AuthentikEvents) {}

  canActivate(): boolean {
    this.events.emit('custom_access_denied', { context: { reason: 'no role' } });
    throw new ForbiddenException();
  }
}

/** A guard with a bug: a plain Error, thrown before any interceptor runs. */
@Injectable()
class BrokenGuard implements CanActivate {
  canActivate(): boolean {
    throw new Error('role service offline');
  }
}

@Controller()
class RequestsController {
  constructor(@Inject(AuthentikEvents) private readonly events: AuthentikEvents) {}

  /** Waits a little (as a database call would), then emits through the singleton service. */
  @Get('echo/:n')
  async echo(@Param('n') n: string) {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
    this.events.emit('custom_echo', { context: { n } });
    return { requestId: this.events.request?.requestId };
  }

  @Get('denied')
  @UseGuards(DenyGuard)
  denied() {
    return 'never';
  }

  @Get('broken-guard')
  @UseGuards(BrokenGuard)
  brokenGuard() {
    return 'never';
  }

  @Get('maintenance')
  maintenance() {
    throw new HttpException('down for maintenance', 503);
  }

  @Get('missing')
  missing() {
    throw new NotFoundException('no such invoice');
  }

  @Post('json')
  json(@Body() body: unknown) {
    return { body };
  }
}

async function startApp(
  platform: (typeof NEST_PLATFORMS)[number],
): Promise<RunningNestApp & { settled(n: number): Promise<StoredEvent[]> }> {
  const fake = await startFakeAuthentik({ quiet: true });
  afterThisTest(() => fake.close());
  const running = await startNestModuleApp(platform, {
    imports: [
      AuthentikEventsModule.forRoot({
        url: fake.url,
        token: fake.token,
        app: 'nest-requests',
        flushIntervalMs: 10,
      }),
    ],
    controllers: [RequestsController],
    providers: [DenyGuard, BrokenGuard],
  });
  return {
    ...running,
    async settled(n) {
      await fake.waitForEvents(n);
      await running.events.client.flush({ timeoutMs: 5000 });
      return fake.events;
    },
  };
}

describe.each(NEST_PLATFORMS)('NestJS on %s: requests', (platform) => {
  it('the singleton service binds each emit to its own request, 40 requests at once', async () => {
    const app = await startApp(platform);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, n) => send(app.baseUrl, { path: `/echo/${n}` })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(200));

    const events = await app.settled(80);
    const requests = new Map(
      events
        .filter((event) => event.context.custom_action === 'http_request')
        .map((event) => [pathOf(event), requestIdOf(event)]),
    );
    const echoes = events.filter((event) => event.context.custom_action === 'echo');
    expect(echoes).toHaveLength(40);
    for (const echo of echoes) {
      // The event's request is the one whose handler emitted it, not one running beside it.
      expect(pathOf(echo)).toBe(`/echo/${echo.context.n}`);
      expect(requestIdOf(echo)).toBe(requests.get(pathOf(echo)));
    }
    // And the handler saw the same request id.
    const seen = answers.map((answer) => answer.json<{ requestId: string }>().requestId);
    expect(new Set(seen).size).toBe(40);
    expect(seen.sort()).toEqual([...requests.values()].sort());
  });

  it('an emit from a guard carries its request; a 403 is no system_exception', async () => {
    const app = await startApp(platform);
    expect((await send(app.baseUrl, { path: '/denied' })).status).toBe(403);

    const events = await app.settled(2);
    expect(events).toHaveLength(2);
    const denied = only(events, 'custom_', 'access_denied');
    expect(denied.context).toMatchObject({ reason: 'no role', http_request: { path: '/denied' } });
    expect(requestEvent(events).context.status).toBe(403);
    expect(requestIdOf(denied)).toBe(requestIdOf(requestEvent(events)));
  });

  it('an Error a guard throws (before any interceptor) is recorded by its 500', async () => {
    const app = await startApp(platform);
    expect((await send(app.baseUrl, { path: '/broken-guard' })).status).toBe(500);

    const events = await app.settled(2);
    expect(only(events, 'system_exception').context).toMatchObject({
      message: 'the response had status 500',
      status: 500,
      http_request: { path: '/broken-guard' },
    });
  });

  it('an HttpException of 503 is a system_exception with its message; a 404 is not', async () => {
    const app = await startApp(platform);
    expect((await send(app.baseUrl, { path: '/maintenance' })).status).toBe(503);
    expect((await send(app.baseUrl, { path: '/missing' })).status).toBe(404);

    const events = await app.settled(3);
    expect(events).toHaveLength(3);
    expect(only(events, 'system_exception').context).toMatchObject({
      message: 'down for maintenance',
      exception: 'HttpException',
      status: 503,
      http_request: { path: '/maintenance' },
    });
  });

  it('records a request no route matches, and one whose body is no JSON, by their 4xx', async () => {
    const app = await startApp(platform);
    expect((await send(app.baseUrl, { path: '/nowhere?token=t-1' })).status).toBe(404);
    const broken = await fetch(`${app.baseUrl}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"not json',
    });
    expect(broken.status).toBe(400);

    // Refused before any route (Nest's body parser on Express, Fastify's own on Fastify).
    const events = await app.settled(2);
    expect(
      events.map((event) => [pathOf(event), event.context.status, event.action]).sort(),
    ).toEqual([
      ['/json', 400, 'custom_'],
      ['/nowhere', 404, 'custom_'],
    ]);
    const nowhere = events.find((event) => pathOf(event) === '/nowhere');
    expect(nowhere?.context.http_request).toMatchObject({
      args: { token: '********************' },
    });
  });
});
