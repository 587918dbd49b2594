import {
  type AuthentikEventsError,
  createEventClient,
  type DeliveryMode,
  type DropReason,
} from '@authentik-events/core';
import { afterEach, describe, expect, it } from 'vitest';
import { identityHolds, waitUntil } from './support/accounting.js';
import { type RawServer, startRawServer } from './support/raw-server.js';

const EVENTS = 3;
const servers: RawServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/**
 * authentik answers 201 once the event is stored; this one sends the status line at once and
 * then takes its time over the body (a slow network, a busy proxy), so that a close deadline
 * falls while the answer is arriving.
 */
async function slowlyAnsweringServer(): Promise<RawServer & { answered: () => number }> {
  let answered = 0;
  const server = await startRawServer((_req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.write('{"pk": "00000000-0000-0000-0000-000000000000", ');
    answered++;
    const timer = setTimeout(() => res.end('"app": "late"}'), 30_000);
    res.on('close', () => clearTimeout(timer));
  });
  servers.push(server);
  return Object.assign(server, { answered: () => answered });
}

describe('races at close: an answer that arrived wins over a late abort (a stored event is never reported lost)', () => {
  it.each<DeliveryMode>(['worker', 'in-process', 'background'])(
    'delivery %s: a 201 whose body is still arriving at the close deadline counts as delivered',
    async (delivery) => {
      const server = await slowlyAnsweringServer();
      const drops: DropReason[] = [];
      const errors: AuthentikEventsError[] = [];
      const client = createEventClient({
        url: server.url,
        token: 'late-answer-token',
        app: 'late-answer',
        delivery,
        flushIntervalMs: 10,
        requestTimeoutMs: 60_000,
        onDrop: (_events, reason) => drops.push(reason),
        onError: (error) => errors.push(error),
      });
      for (let i = 0; i < EVENTS; i++) client.emit({ action: 'login', context: { i } });
      // Every event's 201 is on its way: authentik has stored them all.
      await waitUntil(() => server.answered() === EVENTS, 'the server answered every event');

      const report = await client.close({ timeoutMs: 50 });

      expect(report).toMatchObject({ delivered: EVENTS, complete: false });
      expect(report.dropped.closed).toBe(0);
      expect(drops).toEqual([]);
      expect(errors).toEqual([]);
      const stats = client.stats();
      expect(stats).toMatchObject({ emitted: EVENTS, delivered: EVENTS, queued: 0, inFlight: 0 });
      expect(identityHolds(stats)).toBe(true);
    },
  );

  it('an event with no answer at the deadline is still counted as closed (the answer, not the abort, decides)', async () => {
    const server = await startRawServer(() => {
      // Never answers.
    });
    servers.push(server);
    const client = createEventClient({
      url: server.url,
      token: 'late-answer-token',
      app: 'late-answer',
      flushIntervalMs: 10,
      requestTimeoutMs: 60_000,
      onError: () => {},
    });
    client.emit({ action: 'login' });
    await waitUntil(() => server.requests.length === 1, 'the request reached the server');
    const report = await client.close({ timeoutMs: 50 });
    expect(report).toMatchObject({ delivered: 0, dropped: { closed: 1 } });
  });
});
