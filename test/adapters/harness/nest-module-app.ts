import type { AddressInfo } from 'node:net';
import { AuthentikEvents } from '@authentik-events/nestjs';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterThisTest } from './scenario.js';

export const NEST_PLATFORMS = ['express', 'fastify'] as const;
export type NestPlatformName = (typeof NEST_PLATFORMS)[number];

export interface RunningNestApp {
  app: INestApplication;
  baseUrl: string;
  events: AuthentikEvents;
}

/**
 * A Nest application of the given modules, controllers and providers on a real socket, closed
 * after the test. For tests of the module itself; the scenario suite uses nest-app.ts.
 */
export async function startNestModuleApp(
  platform: NestPlatformName,
  metadata: ModuleMetadata,
): Promise<RunningNestApp> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = moduleRef.createNestApplication(adapter, { logger: false });
  afterThisTest(() => app.close());
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, events: app.get(AuthentikEvents) };
}

/** What starting a Nest application of this metadata failed with (compile or init), if anything. */
export async function nestStartError(
  platform: NestPlatformName,
  metadata: ModuleMetadata,
): Promise<unknown> {
  let app: INestApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule(metadata).compile();
    const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
    app = moduleRef.createNestApplication(adapter, { logger: false });
    await app.init();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await app?.close().catch(() => undefined);
  }
}
