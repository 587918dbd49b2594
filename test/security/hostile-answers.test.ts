import { createServer, type Socket } from 'node:net';
import {
  type AuthentikEventsError,
  createEventClient,
  type DeliveryMode,
  type DropReason,
} from '@authentik-events/core';
import { afterEach, describe, expect, it } from 'vitest';
import { identityHolds } from '../reliability/support/accounting.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP server that answers each request's head with `respond`: any bytes, however broken. */
async function tcpServer(
  respond: (socket: Socket) => void,
): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((socket) => {
    let head = '';
    let answered = false;
    socket.on('error', () => undefined);
    socket.on('data', (data) => {
      head += data.toString('latin1');
      if (answered || !head.includes('\r\n\r\n')) return;
      answered = true;
      requests++;
      respond(socket);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  );
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests: () => requests };
}

function statusLine(status: number, body = '{"detail": "x"}'): (socket: Socket) => void {
  return (socket) =>
    socket.end(
      `HTTP/1.1 ${status} Whatever\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
}

/** Drips forever (until the client hangs up). */
function dripping(first: string, drip: string): (socket: Socket) => void {
  return (socket) => {
    socket.write(first);
    const timer = setInterval(() => socket.write(drip), 50);
    socket.on('close', () => clearInterval(timer));
  };
}

type Outcome = 'delivered' | 'retried' | DropReason;

async function outcomeOf(
  url: string,
  delivery: DeliveryMode = 'in-process',
  emit: Record<string, unknown> = {},
) {
  const errors: AuthentikEventsError[] = [];
  const client = createEventClient({
    url,
    token: 'hostile-answers-token',
    app: 'hostile-answers',
    delivery,
    flushIntervalMs: 5,
    // Long enough that only the answers that never end time out, on a busy machine too.
    requestTimeoutMs: 2500,
    maxEventBytes: 4 * 2 ** 20,
    retry: { retries: 1, minDelayMs: 5, maxDelayMs: 10 },
    onError: (error) => errors.push(error),
  });
  cleanups.push(() => client.close({ timeoutMs: 100 }));
  client.emit({ action: 'login', context: emit });
  // Bounded: every odd answer ends within the request timeout and one retry.
  const report = await client.flush({ timeoutMs: 15_000 });
  expect(report.complete).toBe(true);
  expect(identityHolds(client.stats())).toBe(true);
  const dropped = Object.entries(report.dropped).find(([, n]) => n > 0)?.[0] as
    | DropReason
    | undefined;
  const outcome: Outcome = report.delivered === 1 ? 'delivered' : (dropped ?? 'retried');
  return { outcome, retried: report.retried, errors };
}

describe('hostile server: every status class and odd answer ends the event delivered, retried or rejected, in bounded time', () => {
  const table: Array<[string, (socket: Socket) => void, Outcome, number]> = [
    ['299 (any 2xx)', statusLine(299), 'delivered', 0],
    ['204 without a body', statusLine(204, ''), 'delivered', 0],
    [
      '103 Early Hints, then 201',
      (socket) => {
        socket.write('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n');
        statusLine(201)(socket);
      },
      'delivered',
      0,
    ],
    ['101 Switching Protocols (not asked for)', statusLine(101), 'retries_exhausted', 1],
    ['a 1xx that never ends in a final answer', statusLine(199), 'retries_exhausted', 1],
    ['304 (no redirect)', statusLine(304, ''), 'rejected', 0],
    ['425 Too Early', statusLine(425), 'retries_exhausted', 1],
    ['507 Insufficient Storage', statusLine(507), 'retries_exhausted', 1],
    ['520 (Cloudflare: unknown origin error)', statusLine(520), 'retries_exhausted', 1],
    ['522 (Cloudflare: origin timed out)', statusLine(522), 'retries_exhausted', 1],
    ['501 Not Implemented', statusLine(501), 'rejected', 0],
    ['600', statusLine(600), 'retries_exhausted', 1],
    ['999', statusLine(999), 'retries_exhausted', 1],
    ['not HTTP at all', (socket) => socket.end('garbage\r\n\r\n'), 'retries_exhausted', 1],
    [
      'a 1 MiB header',
      (socket) =>
        socket.end(
          `HTTP/1.1 201 Created\r\nX-Big: ${'a'.repeat(2 ** 20)}\r\nContent-Length: 2\r\n\r\n{}`,
        ),
      'retries_exhausted',
      1,
    ],
    [
      'headers that never end',
      dripping('HTTP/1.1 201 Created\r\n', 'X-More: yes\r\n'),
      'retries_exhausted',
      1,
    ],
    [
      'a 503 whose body never ends',
      dripping('HTTP/1.1 503 Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n', '1\r\na\r\n'),
      'retries_exhausted',
      1,
    ],
    [
      'a 201 whose body never ends (the status decides)',
      dripping('HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n', '1\r\na\r\n'),
      'delivered',
      0,
    ],
    [
      'a 201 cut off mid-body (the status decides)',
      (socket) => socket.end('HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{"pk":'),
      'delivered',
      0,
    ],
  ];

  it.each(table)('%s', async (_name, respond, expected, retried) => {
    const server = await tcpServer(respond);
    const { outcome, retried: made } = await outcomeOf(server.url);
    expect(outcome).toBe(expected);
    expect(made).toBe(retried);
    expect(server.requests()).toBe(1 + retried);
  });

  it.each<DeliveryMode>(['worker', 'in-process'])(
    'an answer before the 3 MB body was read counts (delivery %s)',
    async (delivery) => {
      const large = { large: 'x'.repeat(3_000_000) };
      const rejected = await tcpServer(statusLine(413));
      expect((await outcomeOf(rejected.url, delivery, large)).outcome).toBe('rejected');
      const stored = await tcpServer(statusLine(201));
      expect((await outcomeOf(stored.url, delivery, large)).outcome).toBe('delivered');
    },
  );
});
