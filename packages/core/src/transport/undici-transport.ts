import { Pool } from 'undici';
import { type Transport, TransportError, type TransportResponse } from './transport.js';

/** Enough of an error body for a message; the rest is discarded (a hostile server may never stop). */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Past this much, stop reading and drop the connection: no authentik answer is that long. */
const MAX_READ_BYTES = MAX_RESPONSE_BYTES * 16;

export interface UndiciTransportOptions {
  endpoint: URL;
  token: string;
  /** Connections in the pool; equals the number of requests in flight. */
  concurrency: number;
  timeoutMs: number;
  userAgent: string;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Delivery over an undici Pool of `concurrency` keep-alive connections. Chosen over node:http
 * with a keep-alive Agent by measurement (bench/transport.mjs: 1.14-1.27x the events/s at
 * 0.78x the CPU per event, and delivery is most of what autoLog costs an app). TLS
 * verification is the platform's default and is never turned off here. Redirects are not
 * followed, so the token cannot be sent to another host.
 */
export class UndiciTransport implements Transport {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: UndiciTransportOptions) {
    const { endpoint, concurrency, timeoutMs } = options;
    this.pool = new Pool(endpoint.origin, {
      connections: concurrency,
      pipelining: 1,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    this.path = endpoint.pathname + endpoint.search;
    this.headers = {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': options.userAgent,
    };
  }

  async send(body: string, signal: AbortSignal): Promise<TransportResponse> {
    if (signal.aborted) throw new TransportError('aborted', 'request aborted before it started');
    // One deadline for the whole exchange, so a slow-loris response cannot hold a slot.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    timer.unref();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: this.headers,
        body,
        signal: controller.signal,
      });
      const chunks: Buffer[] = [];
      let received = 0;
      for await (const chunk of response.body) {
        if (received < MAX_RESPONSE_BYTES) chunks.push(chunk as Buffer);
        received += (chunk as Buffer).length;
        if (received > MAX_READ_BYTES) break; // leaving the loop destroys the body and its connection
      }
      return {
        status: response.statusCode,
        retryAfter: firstHeader(response.headers['retry-after']),
        body: Buffer.concat(chunks).toString('utf8', 0, MAX_RESPONSE_BYTES),
      };
    } catch (error) {
      if (timedOut) {
        throw new TransportError(
          'timeout',
          `no complete response within ${this.options.timeoutMs} ms`,
          error,
        );
      }
      if (signal.aborted) throw new TransportError('aborted', 'request aborted', error);
      const { code, name, message } = error as NodeJS.ErrnoException;
      throw new TransportError('network', `${code ?? name}: ${message}`, error);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    // Requests in flight were ended by their abort signals; what is left are idle connections.
    this.pool.destroy().catch(() => undefined);
  }
}
