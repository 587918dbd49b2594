import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdapterOptions, EventClient } from '@authentik-events/core';

/** Each adapter on each framework major it supports. */
export const FRAMEWORKS = ['express5', 'express4', 'koa3', 'koa2', 'fastify5', 'fastify4'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The adapter options as the harness takes them: callbacks get the framework's request. */
export type EventsOptions = AdapterOptions<unknown>;

export type TrustProxy =
  | boolean
  | number
  | string
  | string[]
  | ((address: string, hop: number) => boolean);

/** Node's request listener, as an http server calls it. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HarnessOptions {
  /**
   * Wraps the app's request listener where the http server calls it, as an instrumentation
   * does (OpenTelemetry's http instrumentation starts the request's span there).
   */
  wrapListener?: (listener: RequestListener) => RequestListener;
  /**
   * The framework's trust-proxy setting, as Express (`trust proxy`) and Fastify (`trustProxy`)
   * take it: on/off, a hop count, addresses and subnets, or a function of the address and hop.
   * Koa has only on/off: any truthy value turns `app.proxy` on.
   */
  trustProxy?: TrustProxy;
  /** Fastify's `requestIdHeader` option (Fastify 4 reads `request-id` unless told otherwise). */
  requestIdHeader?: string | false;
  /** The user `GET /me` sets the passport way (`req.user`, `ctx.state.user`, `request.user`). */
  sessionUser?: Record<string, unknown>;
}

/** A running app with the adapter installed, the same for every framework. */
export interface AppHandle {
  readonly framework: Framework;
  readonly baseUrl: string;
  /** The client the adapter delivers with (its own, or the shared one it was given). */
  readonly client: EventClient;
  /** Resolves when the next request to `GET /slow` has reached its handler. */
  slowStarted(): Promise<void>;
  /**
   * The framework's own shutdown: Fastify's `app.close()` (which runs the plugin's onClose);
   * Express and Koa stop the server, then `events.close()`. Idempotent.
   */
  shutdown(): Promise<void>;
}
