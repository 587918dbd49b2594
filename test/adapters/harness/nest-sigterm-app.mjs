// A Nest application as it runs in production, in plain JavaScript (decorators applied as
// functions): the module, a controller that emits, enableShutdownHooks(), and nothing else for
// shutdown. Nothing is sent before shutdown (a long flush interval), so what the fake stores
// was flushed by the module on SIGTERM.
//
// Usage: node nest-sigterm-app.mjs express|fastify '{"url":"…","token":"…"}'
// Prints "READY <url>" once listening.
import { AuthentikEvents, AuthentikEventsModule } from '@authentik-events/nestjs';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

const [platform, settings] = process.argv.slice(2);
const { url, token } = JSON.parse(settings);

class OrdersController {
  constructor(events) {
    this.events = events;
  }

  place() {
    this.events.emit('custom_order_placed', { context: { order_id: 'A-1' } });
    return { ok: true };
  }
}
Inject(AuthentikEvents)(OrdersController, undefined, 0);
Controller()(OrdersController);
Get('orders')(
  OrdersController.prototype,
  'place',
  Object.getOwnPropertyDescriptor(OrdersController.prototype, 'place'),
);

class AppModule {}
Module({
  imports: [
    AuthentikEventsModule.forRoot({
      url,
      token,
      app: 'nest-sigterm',
      flushIntervalMs: 60_000,
      batchSize: 1000,
    }),
  ],
  controllers: [OrdersController],
})(AppModule);

const app =
  platform === 'fastify'
    ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(AppModule, { logger: false });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
process.stdout.write(`READY http://127.0.0.1:${app.getHttpServer().address().port}\n`);
