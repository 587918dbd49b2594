export type { EmitOptions, RequestEvents } from '@authentik-events/core';
export { AuthentikEventsInterceptor } from './authentik-events.interceptor.js';
export { AuthentikEventsModule } from './authentik-events.module.js';
export { AuthentikEvents } from './authentik-events.service.js';
export type {
  AuthentikEventsModuleAsyncOptions,
  AuthentikEventsModuleOptions,
  NestHttpRequest,
} from './module-options.js';
