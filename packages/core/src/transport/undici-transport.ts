import { performance } from 'node:perf_hooks';
import { type Dispatcher, Pool } from 'undici';
import { createTokenMask, type TextMask } from '../secrets/token-mask.js';
import { type Transport, TransportError, type TransportResponse } from './transport.js';
import { contextTrusting } from './trusted-certificates.js';

/** Enough of an error body for a message; the rest is discarded (a hostile server may never stop). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of a body is decoded for a message (500 characters of it are quoted). */
const MAX_BODY_TEXT_BYTES = 8 * 1024;
/** Past this much, stop reading and drop the connection: no authentik answer is that long. */
const MAX_READ_BYTES = MAX_RESPONSE_BYTES * 16;
/** The longest delay a Node timer keeps; a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface UndiciTransportOptions {
  endpoint: URL;
  token: string;
  /** Connections in the pool: the most requests in flight (a fixed `concurrency` or `maxConcurrency`). */
  concurrency: number;
  timeoutMs: number;
  userAgent: string;
  /** CA certificates (PEM) trusted besides Node's defaults (the `ca` option). */
  ca?: readonly string[];
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Delivery over an undici Pool of up to `concurrency` keep-alive connections (opened as needed). Chosen over node:http
 * with a keep-alive Agent by measurement (bench/transport.mjs: 1.14-1.27x the events/s at
 * 0.78x the CPU per event, and delivery is most of what autoLog costs an app). TLS
 * verification is the platform's default and is never turned off here (`ca` only adds trusted
 * certificates). Redirects are not followed, so the token cannot be sent to another host.
 */
export class UndiciTransport implements Transport {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  /** A server (or a proxy) may echo the request's headers: its words never carry the token on. */
  private readonly mask: TextMask;

  constructor(options: UndiciTransportOptions) {
    const { endpoint, concurrency, ca } = options;
    this.timeoutMs = Math.min(options.timeoutMs, MAX_TIMER_MS);
    this.pool = new Pool(endpoint.origin, {
      connections: concurrency,
      pipelining: 1,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: ca && ca.length > 0 ? { secureContext: contextTrusting(ca) } : undefined,
    });
    this.path = endpoint.pathname + endpoint.search;
    this.headers = {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': options.userAgent,
    };
    this.mask = createTokenMask(options.token);
  }

  async send(body: string, signal: AbortSignal): Promise<TransportResponse> {
    if (signal.aborted) throw new TransportError('aborted', 'request aborted before it started');
    // One deadline for the whole exchange, so a slow-loris response cannot hold a slot.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    timer.unref();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let response: Dispatcher.ResponseData | undefined;
    const chunks: Buffer[] = [];
    const startedAt = performance.now();
    try {
      response = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: this.headers,
        body,
        signal: controller.signal,
      });
      let received = 0;
      for await (const chunk of response.body) {
        if (received < MAX_RESPONSE_BYTES) chunks.push(chunk as Buffer);
        received += (chunk as Buffer).length;
        if (received > MAX_READ_BYTES) break; // leaving the loop destroys the body and its connection
      }
      return this.answer(response, chunks, startedAt);
    } catch (error) {
      // The status line arrived: the server answered, and a 2xx means the event is stored. A
      // deadline or a close that ends the body's reading does not change that answer (else a
      // stored event would be retried into a duplicate, or counted as lost at close).
      if (response) return this.answer(response, chunks, startedAt);
      if (timedOut) {
        throw new TransportError('timeout', `no response within ${this.timeoutMs} ms`, error);
      }
      if (signal.aborted) throw new TransportError('aborted', 'request aborted', error);
      const { code, name, message } = error as NodeJS.ErrnoException;
      throw new TransportError('network', this.mask(`${code ?? name}: ${message}`), error, code);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    // Requests in flight were ended by their abort signals; what is left are idle connections.
    this.pool.destroy().catch(() => undefined);
  }

  private answer(
    response: Dispatcher.ResponseData,
    chunks: Buffer[],
    startedAt: number,
  ): TransportResponse {
    const location = firstHeader(response.headers.location);
    return {
      status: response.statusCode,
      retryAfter: firstHeader(response.headers['retry-after']),
      location: location === undefined ? undefined : this.mask(location.slice(0, 1000)),
      // Only the start is ever quoted; masked before it is cut, so no piece of the token is left.
      body: this.mask(Buffer.concat(chunks).toString('utf8', 0, MAX_BODY_TEXT_BYTES)),
      elapsedMs: performance.now() - startedAt,
    };
  }
}
