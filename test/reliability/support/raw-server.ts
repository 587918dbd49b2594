import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** One request a raw server received, with its whole body. */
export interface RawRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Answers one request; the body was read before (unless `readBody: false`). */
export type RawHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  request: RawRequest,
) => void | Promise<void>;

export interface RawServer {
  /** Origin, e.g. http://127.0.0.1:PORT or https://127.0.0.1:PORT */
  url: string;
  port: number;
  requests: RawRequest[];
  /** Stops listening and destroys every open connection (a server that never answers too). */
  close(): Promise<void>;
}

export interface RawServerOptions {
  /** Serve TLS with the test certificate `name` (test/security/fixtures/tls/<name>.pem). */
  tls?: string;
  /** Listen on this port (to take a port back after close). @default a free one */
  port?: number;
  /** Hand over the request before its body was read (the handler reads it, or not). */
  readBody?: boolean;
}

const TLS_FIXTURES = new URL('../../security/fixtures/tls/', import.meta.url);

/** A test certificate's PEM text (test/security/fixtures/tls). */
export function tlsFixture(name: string): string {
  return readFileSync(new URL(name, TLS_FIXTURES), 'utf8');
}

/**
 * A bare HTTP(S) server on 127.0.0.1 for answers the local authentik does not give: odd
 * statuses, echoed headers, answers cut short, proxies in front of it. Every request is kept.
 */
export async function startRawServer(
  handler: RawHandler,
  options: RawServerOptions = {},
): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const request: RawRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: '',
    };
    requests.push(request);
    const answer = () => {
      Promise.resolve(handler(req, res, request)).catch(() => res.destroy());
    };
    if (options.readBody === false) return answer();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      request.body = Buffer.concat(chunks).toString('utf8');
      answer();
    });
  };
  const server = options.tls
    ? createHttpsServer(
        { cert: tlsFixture(`${options.tls}.pem`), key: tlsFixture(`${options.tls}-key.pem`) },
        onRequest,
      )
    : createHttpServer(onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A TLS handshake the client gives up on is no failure of the test.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers with `status` and a JSON (or any) body. */
export function answer(res: ServerResponse, status: number, body = '{}', headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}
