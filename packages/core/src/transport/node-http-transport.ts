import http from 'node:http';
import https from 'node:https';
import { type Transport, TransportError, type TransportResponse } from './transport.js';

/** Enough of an error body for a message; the rest is discarded (a hostile server may never stop). */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface NodeHttpTransportOptions {
  endpoint: URL;
  token: string;
  /** Connections in the pool; equals the number of requests in flight. */
  concurrency: number;
  timeoutMs: number;
  userAgent: string;
}

/**
 * Delivery over node:http(s) with a keep-alive agent bounded to `concurrency` sockets. Chosen
 * over undici by measurement (bench/transport.mjs). TLS verification is the platform's
 * default and is never turned off here. Redirects are not followed, so the token cannot be
 * sent to another host.
 */
export class NodeHttpTransport implements Transport {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly headers: http.OutgoingHttpHeaders;

  constructor(private readonly options: NodeHttpTransportOptions) {
    const isHttps = options.endpoint.protocol === 'https:';
    const Agent = isHttps ? https.Agent : http.Agent;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: options.concurrency,
      maxFreeSockets: options.concurrency,
      scheduling: 'lifo',
    });
    this.request = isHttps ? https.request : http.request;
    this.headers = {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': options.userAgent,
    };
  }

  send(body: string, signal: AbortSignal): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new TransportError('aborted', 'request aborted before it started'));
        return;
      }
      const payload = Buffer.from(body);
      let settled = false;
      const finish = (error: TransportError | undefined, response?: TransportResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(response as TransportResponse);
      };

      const req = this.request(this.options.endpoint, {
        method: 'POST',
        agent: this.agent,
        headers: { ...this.headers, 'content-length': payload.length },
      });
      // One deadline for the whole exchange, so a slow-loris response cannot hold a slot.
      const timer = setTimeout(() => {
        finish(
          new TransportError('timeout', `no complete response within ${this.options.timeoutMs} ms`),
        );
        req.destroy();
      }, this.options.timeoutMs);
      timer.unref();
      const onAbort = () => {
        finish(new TransportError('aborted', 'request aborted'));
        req.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });

      req.on('error', (error: NodeJS.ErrnoException) => {
        finish(
          new TransportError('network', `${error.code ?? error.name}: ${error.message}`, error),
        );
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          if (received < MAX_RESPONSE_BYTES) chunks.push(chunk);
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES * 16) {
            // An answer this long is not authentik's; stop reading and drop the connection.
            // Settle first: destroy() emits 'aborted' at once, which would make the status
            // already received look like a network failure (and the event be sent again).
            complete();
            res.destroy();
          }
        });
        const complete = () => {
          const retryAfter = res.headers['retry-after'];
          finish(undefined, {
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            body: Buffer.concat(chunks).toString('utf8', 0, MAX_RESPONSE_BYTES),
          });
        };
        res.on('end', complete);
        res.on('error', (error) => finish(new TransportError('network', error.message, error)));
        res.on('aborted', () => finish(new TransportError('network', 'response aborted')));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
