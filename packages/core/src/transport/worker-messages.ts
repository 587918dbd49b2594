import type { TransportFailure, TransportResponse } from './transport.js';
import type { DELIVERY_WORKER_ROLE } from './worker-role.js';

/** What the delivery worker is started with (`workerData`): plain data, it crosses threads. */
export interface DeliveryWorkerData {
  /** Tells a thread started as the delivery worker from any other (worker-role.ts). */
  role: typeof DELIVERY_WORKER_ROLE;
  endpoint: string;
  token: string;
  concurrency: number;
  timeoutMs: number;
  userAgent: string;
  /** CA certificates (PEM) trusted besides Node's defaults (the `ca` option). */
  ca?: string[];
  /** Run the worker's thread at the lowest scheduling priority (Linux only, see delivery-worker.ts). */
  lowPriority: boolean;
  /**
   * Where the main thread publishes its event-loop utilisation (app-load.ts); with it, the
   * worker keeps to a small share of the time while the app is busy.
   */
  appLoad?: SharedArrayBuffer;
}

/** Main thread to worker. Requests and aborts are batched per turn of the event loop. */
export type ToDeliveryWorker =
  | { type: 'send'; requests: Array<[id: number, body: string]> }
  | { type: 'abort'; ids: number[] };

/** The outcome of one request; an error crosses as its kind and message (a cause cannot). */
export type DeliveryWorkerResult =
  | { id: number; ok: true; response: TransportResponse }
  | { id: number; ok: false; kind: TransportFailure; message: string; code?: string };

/**
 * Worker to main thread: `ready` once it is set up, with the version of the package it was built
 * from (a worker file copied from another version may speak another protocol), then results
 * batched per turn of its loop.
 */
export type FromDeliveryWorker =
  | { type: 'ready'; version: string }
  | { type: 'results'; results: DeliveryWorkerResult[] };
