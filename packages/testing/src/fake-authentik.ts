import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createDirectory } from './directory.js';
import { DEFAULT_STREAM_LIMITS, EventStream } from './event-page/event-stream.js';
import { resolvePageOptions } from './event-page/page-options.js';
import { EventStore } from './event-store.js';
import { FaultState } from './faults.js';
import { RequestLog } from './request-log.js';
import { createRng } from './rng.js';
import { handleRequest, type RouterContext } from './router.js';
import { DEFAULT_VERSION } from './self-reads.js';
import { Timers } from './timers.js';
import type {
  CapacityStats,
  FakeAuthentik,
  FakeAuthentikOptions,
  RecordedRequest,
  StoredEvent,
  TokenState,
} from './types.js';

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_MAX_RECORDED = 10_000;

/**
 * A local test double of authentik's events API (not authentik itself). Owns the HTTP server,
 * its sockets and the lifecycle: down/up re-listen on the same port, close is idempotent.
 */
class FakeAuthentikServer implements FakeAuthentik {
  readonly token: string;
  readonly faults: FaultState;
  url = '';
  pageUrl: string | undefined;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly ctx: RouterContext;
  private readonly host: string;
  private port: number;
  private down = false;
  private closing: Promise<void> | undefined;

  constructor(options: FakeAuthentikOptions) {
    this.token = options.token ?? randomBytes(24).toString('hex');
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    const tokens = new Map<string, TokenState>(Object.entries(options.tokens ?? {}));
    tokens.set(this.token, 'ok');
    this.faults = new FaultState(createRng(options.seed ?? randomBytes(4).readUInt32LE()), {
      down: () => this.goDown(),
      up: () => this.goUp(),
    });
    const quiet = options.quiet ?? false;
    const page = resolvePageOptions(
      this.host,
      options.page,
      options.maxPageClients,
      DEFAULT_STREAM_LIMITS.maxClients,
    );
    const store = new EventStore(options.onEvent);
    const timers = new Timers();
    this.ctx = {
      tokens,
      store,
      log: new RequestLog(options.maxRecordedRequests ?? DEFAULT_MAX_RECORDED),
      directory: createDirectory(options.brands, options.users),
      version: options.version ?? DEFAULT_VERSION,
      faults: this.faults,
      timers,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      concurrency: { current: 0, max: 0 },
      readConcurrency: { current: 0, max: 0 },
      page: page.enabled
        ? new EventStream(store, timers, { ...DEFAULT_STREAM_LIMITS, maxClients: page.maxClients })
        : undefined,
      isDown: () => this.down || this.closing !== undefined,
      warn: quiet
        ? () => {}
        : (message) => process.stderr.write(`[authentik-events-fake] ${message}\n`),
    };
    this.server = createServer((req, res) => handleRequest(this.ctx, req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get events(): StoredEvent[] {
    return this.ctx.store.events;
  }

  get requests(): RecordedRequest[] {
    return this.ctx.log.items;
  }

  get requestCount(): number {
    return this.ctx.log.count;
  }

  get maxConcurrent(): number {
    return this.ctx.concurrency.max;
  }

  get maxConcurrentReads(): number {
    return this.ctx.readConcurrency.max;
  }

  get readsInProgress(): number {
    return this.ctx.readConcurrency.current;
  }

  get capacityStats(): CapacityStats {
    return (
      this.faults.capacityGate?.stats() ?? {
        inService: 0,
        waiting: 0,
        maxWaiting: 0,
        rejected: 0,
        served: 0,
        waited: 0,
        waitedMs: 0,
        busyMs: 0,
      }
    );
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.removeListener('error', reject);
        resolve();
      });
    });
    // Keep the port a free-port start was given, so that up() comes back on the same URL.
    this.port = (this.server.address() as AddressInfo).port;
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.url = `http://${host}:${this.port}`;
    this.pageUrl = this.ctx.page ? `${this.url}/` : undefined;
  }

  waitForEvents(n: number, timeoutMs = 5000): Promise<StoredEvent[]> {
    return this.ctx.store.waitFor(n, timeoutMs);
  }

  clear(): void {
    this.ctx.store.clear();
    this.ctx.log.clear();
    this.ctx.concurrency.max = this.ctx.concurrency.current;
    this.ctx.readConcurrency.max = this.ctx.readConcurrency.current;
    this.faults.capacityGate?.clearCounters();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.ctx.timers.clearAll();
      this.ctx.store.rejectWaiters('the fake was closed');
      this.ctx.page?.closeAll();
      await this.stopListening();
    })();
    return this.closing;
  }

  private async goDown(): Promise<void> {
    if (this.closing) return;
    this.down = true;
    await this.stopListening();
  }

  private async goUp(): Promise<void> {
    if (this.closing) throw new Error('faults.up: the fake is closed');
    if (!this.server.listening) await this.listen();
    this.down = false;
  }

  /** Closes the listening socket, then destroys every open connection so nothing lingers. */
  private stopListening(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }
}

/**
 * Starts the local authentik-compatible events server, a test double for this project's tests,
 * examples and benchmarks and for users' own tests.
 *
 * @example
 * const fake = await startFakeAuthentik({ quiet: true });
 * await fetch(`${fake.url}/api/v3/events/events/`, {
 *   method: 'POST',
 *   headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ action: 'login', app: 'my-app' }),
 * });
 * await fake.waitForEvents(1);
 * await fake.close();
 */
export async function startFakeAuthentik(
  options: FakeAuthentikOptions = {},
): Promise<FakeAuthentik> {
  const fake = new FakeAuthentikServer(options);
  if (options.capacity !== undefined) fake.faults.capacity(options.capacity);
  await fake.listen();
  return fake;
}
