import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export interface ConnectionCounter {
  /** Base URL to give the client instead of the target's. */
  readonly url: string;
  /** TCP connections the client opened so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A plain TCP relay in front of the fake that counts the connections a client opens: the fake
 * exposes no connection count, and counting at the TCP level needs no change to it. Each
 * client connection gets its own upstream connection, so the fake sees the same traffic.
 */
export async function startConnectionCounter(targetUrl: string): Promise<ConnectionCounter> {
  const target = new URL(targetUrl);
  const open = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    }
    // Either side failing ends both, as a real network path would.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
