import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { APP_LOAD_SLOTS, AppLoadPublisher } from './app-load.js';
import { type Transport, TransportError, type TransportResponse } from './transport.js';
import type {
  DeliveryWorkerData,
  DeliveryWorkerResult,
  ToDeliveryWorker,
} from './worker-messages.js';
import { DELIVERY_WORKER_ROLE } from './worker-role.js';
import { startDeliveryWorker } from './worker-start.js';

export interface WorkerTransportOptions {
  /**
   * The built delivery worker (dist/delivery-worker.js, or the app's `workerUrl`); undefined when
   * the package cannot tell where its own code is (bundled into CommonJS without `import.meta`).
   */
  workerUrl: URL | undefined;
  /** Whether `workerUrl` is the app's (the option) rather than the package's own file. */
  workerUrlGiven?: boolean;
  data: Omit<DeliveryWorkerData, 'appLoad' | 'role'>;
  /** The worker's heap limit (worker-heap.ts sizes it from the configuration). */
  heapMb: number;
  /** End a worker that has not said it is ready by then, and fall back (undefined: no deadline). */
  readyTimeoutMs?: number;
  /** Keep the worker to a small share of the time while the app's event loop is busy. */
  yieldToBusyApp: boolean;
  /** Where requests go when no worker can run here (a bundled app without the worker file, say). */
  fallback: () => Transport;
  /** Told once when delivery falls back to the main thread, and why. */
  onFallback: (reason: string) => void;
}

interface PendingSend {
  body: string;
  signal: AbortSignal;
  onAbort: () => void;
  resolve: (response: TransportResponse) => void;
  reject: (error: Error) => void;
}

/** A worker that died this many times after starting is not restarted again. */
const MAX_CRASHES = 3;
/** How long an aborted request waits for the worker's answer (it may have been stored already). */
const ABORT_ANSWER_MS = 250;

/**
 * Sends through a worker thread (delivery-worker.ts), which runs the undici transport: the app's
 * event loop pays for a message per batch of requests instead of for the HTTP exchanges. The
 * worker starts with the first request, holds the process open only while requests are in
 * flight, and is replaced if it dies; where it cannot start at all, requests go to `fallback`.
 * An idle worker costs no CPU: nothing in either thread wakes up until the next request (the
 * app-load publisher stops with the last answer, the worker only waits for messages).
 */
export class WorkerTransport implements Transport {
  private worker: Worker | undefined;
  private ready = false;
  private readonly pending = new Map<number, PendingSend>();
  private nextId = 0;
  private outgoing: Array<[number, string]> = [];
  private aborted: number[] = [];
  private flushScheduled = false;
  private crashes = 0;
  private inProcess: Transport | undefined;
  private closed = false;
  /** The app's load for the worker's budget (`yieldToBusyApp`): runs only while requests are out. */
  private publisher: AppLoadPublisher | undefined;

  constructor(private readonly options: WorkerTransportOptions) {}

  send(body: string, signal: AbortSignal): Promise<TransportResponse> {
    if (signal.aborted) {
      return Promise.reject(new TransportError('aborted', 'request aborted before it started'));
    }
    if (this.closed) {
      return Promise.reject(new TransportError('aborted', 'the transport is closed'));
    }
    if (this.inProcess || !this.startWorker()) return this.sendInProcess(body, signal);
    const id = ++this.nextId;
    return new Promise<TransportResponse>((resolve, reject) => {
      const onAbort = () => {
        const pending = this.pending.get(id);
        if (!pending) return;
        // Not posted yet: drop it here, or the worker would get the abort first, then the send.
        const unsent = this.outgoing.findIndex(([queuedId]) => queuedId === id);
        if (unsent >= 0) {
          this.outgoing.splice(unsent, 1);
          this.settle(id, pending);
          reject(new TransportError('aborted', 'request aborted before it started'));
          return;
        }
        // Posted: the worker may have the answer already (the server stored the event). Its
        // answer decides, so that a stored event is not counted as lost; if none comes in time
        // (a worker starved of CPU), the request ends as aborted.
        this.aborted.push(id);
        this.scheduleFlush();
        const timer = setTimeout(() => {
          if (this.pending.get(id) !== pending) return;
          this.settle(id, pending);
          reject(new TransportError('aborted', 'request aborted'));
        }, ABORT_ANSWER_MS);
        timer.unref();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { body, signal, onAbort, resolve, reject });
      this.outgoing.push([id, body]);
      this.scheduleFlush();
      this.updateRef();
    });
  }

  close(): void {
    this.closed = true;
    for (const [id, pending] of this.pending) {
      this.settle(id, pending);
      pending.reject(new TransportError('aborted', 'the transport is closed'));
    }
    const worker = this.worker;
    this.worker = undefined;
    this.publisher?.stop();
    if (worker) void worker.terminate().catch(() => undefined);
    this.inProcess?.close();
  }

  /** Whether requests go through a worker (false once delivery fell back to the main thread). */
  get usesWorker(): boolean {
    return this.inProcess === undefined;
  }

  private sendInProcess(body: string, signal: AbortSignal): Promise<TransportResponse> {
    this.inProcess ??= this.options.fallback();
    return this.inProcess.send(body, signal);
  }

  /** Starts the worker if none runs; false when none can (the caller then sends in process). */
  private startWorker(): boolean {
    if (this.worker) return true;
    const { workerUrl, workerUrlGiven, data } = this.options;
    if (workerUrl === undefined) {
      this.fallBack(
        "the delivery worker's file cannot be found: this code was bundled without import.meta.url; give the worker file your build ships as workerUrl",
      );
      return false;
    }
    if (workerUrl.protocol !== 'file:' || !existsSync(fileURLToPath(workerUrl))) {
      this.fallBack(
        workerUrlGiven
          ? `${this.workerName} is not there`
          : `${this.workerName} is not there (a bundled app? give the worker file your build ships as workerUrl)`,
      );
      return false;
    }
    let appLoad: Int32Array | undefined;
    if (this.options.yieldToBusyApp) {
      appLoad = new Int32Array(new SharedArrayBuffer(APP_LOAD_SLOTS * 4));
      this.publisher?.stop();
      this.publisher = new AppLoadPublisher(appLoad);
    }
    let worker: Worker;
    try {
      worker = startDeliveryWorker(
        {
          url: workerUrl,
          workerData: {
            ...data,
            role: DELIVERY_WORKER_ROLE,
            appLoad: appLoad?.buffer as SharedArrayBuffer | undefined,
          },
          heapMb: this.options.heapMb,
          readyTimeoutMs: this.options.readyTimeoutMs,
        },
        {
          ready: () => {
            if (this.worker === worker) this.ready = true;
          },
          results: (results) => {
            if (this.worker !== worker) return;
            for (const result of results) this.receive(result);
          },
          exited: (failure) => this.exited(worker, failure),
        },
      );
    } catch (error) {
      this.fallBack(`${this.workerName} could not start: ${(error as Error).message}`);
      return false;
    }
    this.worker = worker;
    this.ready = false;
    return true;
  }

  /** How messages name the worker's file, and where it came from. */
  private get workerName(): string {
    const { workerUrl, workerUrlGiven } = this.options;
    return `the delivery worker ${workerUrl?.href}${workerUrlGiven ? ' (workerUrl)' : ''}`;
  }

  private exited(worker: Worker, failure: string): void {
    if (this.worker !== worker || this.closed) return;
    this.worker = undefined;
    this.outgoing = [];
    this.aborted = [];
    const pending = [...this.pending];
    this.pending.clear();
    this.updateRef();
    if (!this.ready) {
      // It never started: nothing reached the server, so the requests go out from here instead.
      this.fallBack(`${this.workerName} failed to start: ${failure}`);
      for (const [, request] of pending) {
        request.signal.removeEventListener('abort', request.onAbort);
        this.sendInProcess(request.body, request.signal).then(request.resolve, request.reject);
      }
      return;
    }
    // It died with requests in flight: whether the server got them is unknown, so they fail as
    // network errors and are retried (their event_id tells a duplicate apart).
    this.crashes++;
    if (this.crashes >= MAX_CRASHES) {
      this.fallBack(`${this.workerName} stopped ${this.crashes} times, last: ${failure}`);
    }
    for (const [, request] of pending) {
      request.signal.removeEventListener('abort', request.onAbort);
      request.reject(new TransportError('network', `the delivery worker stopped: ${failure}`));
    }
  }

  private receive(result: DeliveryWorkerResult): void {
    const pending = this.pending.get(result.id);
    if (!pending) return; // aborted here before the worker answered
    this.settle(result.id, pending);
    if (result.ok) pending.resolve(result.response);
    else pending.reject(new TransportError(result.kind, result.message, undefined, result.code));
  }

  private settle(id: number, pending: PendingSend): void {
    this.pending.delete(id);
    pending.signal.removeEventListener('abort', pending.onAbort);
    this.updateRef();
  }

  private fallBack(reason: string): void {
    this.publisher?.stop();
    this.publisher = undefined;
    if (this.inProcess) return;
    this.inProcess = this.options.fallback();
    this.options.onFallback(reason);
  }

  /**
   * Requests in flight keep the process alive, as sockets would, and have the app's load
   * published for the worker's budget; an idle worker does neither.
   */
  private updateRef(): void {
    if (this.worker && this.pending.size > 0) {
      this.worker.ref();
      this.publisher?.start();
    } else {
      this.worker?.unref();
      this.publisher?.stop();
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // The requests and aborts of one turn go in one message: each costs both threads a wake-up.
    setImmediate(() => {
      this.flushScheduled = false;
      const worker = this.worker;
      if (!worker) return;
      if (this.aborted.length > 0) {
        worker.postMessage({ type: 'abort', ids: this.aborted } satisfies ToDeliveryWorker);
        this.aborted = [];
      }
      if (this.outgoing.length > 0) {
        worker.postMessage({ type: 'send', requests: this.outgoing } satisfies ToDeliveryWorker);
        this.outgoing = [];
      }
    });
  }
}
