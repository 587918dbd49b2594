import { startExpressApp } from './express-app.js';
import { startFastifyApp } from './fastify-app.js';
import { startHonoApp } from './hono-app.js';
import { startKoaApp } from './koa-app.js';
import { startNestApp } from './nest-app.js';
import type { AppHandle, EventsOptions, Framework, HarnessOptions } from './types.js';

/** Starts the same app on any framework, with the adapter installed the way its README says. */
export function startApp(
  framework: Framework,
  options: EventsOptions,
  harness: HarnessOptions = {},
): Promise<AppHandle> {
  switch (framework) {
    case 'express5':
    case 'express4':
      return startExpressApp(framework, options, harness);
    case 'koa3':
    case 'koa2':
      return startKoaApp(framework, options, harness);
    case 'fastify5':
    case 'fastify4':
      return startFastifyApp(framework, options, harness);
    case 'hono':
      return startHonoApp(options, harness);
    case 'nest-express':
    case 'nest-fastify':
      return startNestApp(framework, options, harness);
  }
}
