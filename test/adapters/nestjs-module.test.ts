import { ConfigError } from '@authentik-events/core';
import { AuthentikEvents, AuthentikEventsModule } from '@authentik-events/nestjs';
import { startFakeAuthentik } from '@authentik-events/testing';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { describe, expect, it } from 'vitest';
import { NEST_PLATFORMS, nestStartError, startNestModuleApp } from './harness/nest-module-app.js';
import { afterThisTest, only, requestEvent } from './harness/scenario.js';

const TOKEN = 'tok3n-Recognisable-9c8b7a6f5e4d';
/** The variable the client falls back to without a url option. */
const URL_VARIABLE = 'AUTHENTIK_URL';

async function fakeAuthentik() {
  const fake = await startFakeAuthentik({ quiet: true });
  afterThisTest(() => fake.close());
  return fake;
}

@Controller()
class HelloController {
  constructor(@Inject(AuthentikEvents) private readonly events: AuthentikEvents) {}

  @Get('hello')
  hello() {
    return { emitted: this.events.emit('custom_hello', { context: { from: 'controller' } }) };
  }
}

/** A feature module that injects the service without importing AuthentikEventsModule. */
@Injectable()
class Billing {
  constructor(@Inject(AuthentikEvents) readonly events: AuthentikEvents) {}
}
@Module({ providers: [Billing], exports: [Billing] })
class BillingModule {}

/** Emits when the application has started: outside any request. */
@Injectable()
class StartupAnnouncer implements OnApplicationBootstrap {
  constructor(@Inject(AuthentikEvents) private readonly events: AuthentikEvents) {}

  onApplicationBootstrap(): void {
    this.events.emit('custom_app_started', {
      context: { version: '1.2.3', api_key: 'k-123' },
      user: { username: 'deploy-bot' },
    });
  }
}

describe.each(NEST_PLATFORMS)('NestJS on %s: forRootAsync', (platform) => {
  it('takes its options from ConfigService (ConfigModule), through an async factory', async () => {
    const fake = await fakeAuthentik();
    const { baseUrl, events } = await startNestModuleApp(platform, {
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ authentik: { url: fake.url, token: fake.token, app: 'from-config' } })],
        }),
        AuthentikEventsModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: async (config: ConfigService) => {
            await new Promise((resolve) => setImmediate(resolve));
            return { ...config.get('authentik'), flushIntervalMs: 10 };
          },
        }),
      ],
      controllers: [HelloController],
    });
    const answer = await fetch(`${baseUrl}/hello`);
    expect(await answer.json()).toEqual({ emitted: true });
    await fake.waitForEvents(2);
    await events.client.flush({ timeoutMs: 5000 });

    expect(fake.events.map((event) => event.app)).toEqual(['from-config', 'from-config']);
    const hello = only(fake.events, 'custom_', 'hello');
    expect(hello.context).toMatchObject({ from: 'controller', http_request: { path: '/hello' } });
    expect(requestEvent(fake.events).context.http_request).toEqual(hello.context.http_request);
  });

  it('options the factory makes wrong stop the application from starting, with the ConfigError', async () => {
    const error = await nestStartError(platform, {
      imports: [
        AuthentikEventsModule.forRootAsync({
          useFactory: () =>
            ({ url: 'https://auth.example.com', token: TOKEN, autolog: false }) as never,
        }),
      ],
    });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('autolog');
    expect((error as ConfigError).message).toContain('did you mean "autoLog"');
    expect((error as ConfigError).message).not.toContain(TOKEN);
  });

  it('a factory that fails stops the application with its own error', async () => {
    const error = await nestStartError(platform, {
      imports: [
        AuthentikEventsModule.forRootAsync({
          useFactory: async () => {
            throw new Error('vault unreachable');
          },
        }),
      ],
    });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('vault unreachable');
  });
});

describe('NestJS: bad module options are a ConfigError naming the option', () => {
  const factory = () => ({ url: 'https://auth.example.com', token: TOKEN });
  const cases: Array<[string, () => unknown, string, RegExp?]> = [
    [
      'forRootAsync without useFactory',
      () => AuthentikEventsModule.forRootAsync({} as never),
      'useFactory',
    ],
    [
      'forRootAsync with useFactory not a function',
      () => AuthentikEventsModule.forRootAsync({ useFactory: factory() } as never),
      'useFactory',
    ],
    [
      'forRootAsync with useClass',
      () => AuthentikEventsModule.forRootAsync({ useClass: Billing, useFactory: factory } as never),
      'useClass',
      /not supported: give useFactory/,
    ],
    [
      'forRootAsync with a misspelt key',
      () => AuthentikEventsModule.forRootAsync({ useFactory: factory, injects: [] } as never),
      'injects',
      /not an option of forRootAsync/,
    ],
    [
      'forRootAsync with inject not an array',
      () =>
        AuthentikEventsModule.forRootAsync({ useFactory: factory, inject: ConfigService } as never),
      'inject',
    ],
    ['forRootAsync(null)', () => AuthentikEventsModule.forRootAsync(null as never), 'options'],
    [
      'isGlobal not a boolean (forRoot)',
      () => AuthentikEventsModule.forRoot({ isGlobal: 'yes' } as never),
      'isGlobal',
    ],
    [
      'isGlobal not a boolean (forRootAsync)',
      () => AuthentikEventsModule.forRootAsync({ useFactory: factory, isGlobal: 1 } as never),
      'isGlobal',
    ],
    [
      'isGlobal behind a throwing getter',
      () =>
        AuthentikEventsModule.forRoot(
          Object.defineProperty({}, 'isGlobal', {
            get() {
              throw new Error('getter exploded');
            },
            enumerable: true,
          }),
        ),
      'isGlobal',
      /cannot be read/,
    ],
  ];

  it.each(cases)('%s', (_name, make, option, message) => {
    let thrown: unknown;
    try {
      make();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).option).toBe(option);
    if (message) expect((thrown as ConfigError).message).toMatch(message);
  });

  it.each(NEST_PLATFORMS)(
    'imported twice (%s): the application refuses to start, as it would record every request twice',
    async (platform) => {
      const options = { url: 'https://auth.example.com', token: TOKEN, app: 'twice' };
      const error = await nestStartError(platform, {
        imports: [AuthentikEventsModule.forRoot(options), AuthentikEventsModule.forRoot(options)],
      });
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('more than once');
    },
  );

  it('without a URL anywhere, the application refuses to start with the ConfigError for "url"', async () => {
    const saved = process.env[URL_VARIABLE];
    delete process.env[URL_VARIABLE];
    try {
      const error = await nestStartError('express', {
        imports: [AuthentikEventsModule.forRootAsync({ useFactory: () => undefined })],
      });
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe('url');
    } finally {
      if (saved !== undefined) process.env[URL_VARIABLE] = saved;
    }
  });
});

describe('NestJS: global by default', () => {
  it('a feature module injects AuthentikEvents without importing the module', async () => {
    const fake = await fakeAuthentik();
    const { app } = await startNestModuleApp('express', {
      imports: [
        AuthentikEventsModule.forRoot({ url: fake.url, token: fake.token, app: 'global' }),
        BillingModule,
      ],
    });
    expect(app.get(Billing).events).toBe(app.get(AuthentikEvents));
  });

  it('with isGlobal: false, a module that does not import it cannot inject it', async () => {
    const error = await nestStartError('express', {
      imports: [
        AuthentikEventsModule.forRoot({
          url: 'https://auth.example.com',
          token: TOKEN,
          app: 'not-global',
          isGlobal: false,
        }),
        BillingModule,
      ],
    });
    expect(String(error)).toMatch(/AuthentikEvents/);
  });
});

describe('NestJS: AuthentikEvents.emit outside a request', () => {
  it('records the action, context, user and static brand, without request facts', async () => {
    const fake = await fakeAuthentik();
    const brand = { pk: 'b1', app: 'authentik_brands', model_name: 'brand', name: 'Shop' };
    const { events } = await startNestModuleApp('fastify', {
      imports: [
        AuthentikEventsModule.forRoot({ url: fake.url, token: fake.token, app: 'jobs', brand }),
      ],
      providers: [StartupAnnouncer],
    });
    expect(events.request).toBeUndefined();
    await fake.waitForEvents(1);
    const [event] = fake.events;
    expect(event).toMatchObject({
      action: 'custom_',
      app: 'jobs',
      user: { username: 'deploy-bot' },
      brand,
      client_ip: null,
      context: { custom_action: 'app_started', version: '1.2.3', api_key: '********************' },
    });
    expect(event?.context).not.toHaveProperty('http_request');
  });

  it('never throws, whatever it is given, and counts what it refuses', async () => {
    const fake = await fakeAuthentik();
    const { events } = await startNestModuleApp('express', {
      imports: [
        AuthentikEventsModule.forRoot({
          url: fake.url,
          token: fake.token,
          app: 'hostile',
          onError: () => {},
        }),
      ],
    });
    const hostile = Object.defineProperty({}, 'context', {
      get() {
        throw new Error('getter exploded');
      },
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const results = [
      events.emit('not_an_action' as never),
      events.emit('login', { context: 'jane' as never }),
      events.emit('login', hostile),
      events.emit('login', revoked.proxy),
      events.emit('login', { user: 'jane' as never }),
      events.emit('login', null as never),
    ];
    expect(results).toEqual([false, false, false, false, false, true]);
    expect(events.client.stats()).toMatchObject({ emitted: 6, dropped: { invalid: 5 } });
  });
});
