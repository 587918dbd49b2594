import {
  type ClientOptions,
  createEventClient,
  type EmitInput,
  type EventClient,
} from '@authentik-events/core';
import type { FakeAuthentik } from '@authentik-events/testing';
import { describe, expect, it } from 'vitest';
import { connect, expectAccounting, FAST, NO_DROPS, startFake, track } from './helpers.js';

// Two classes of event: request logs (what autoLog records) may be shed under overload; audit
// events (what the app emits itself) make room for themselves by evicting request logs, and
// are delivered first. Here through client.emit, on real sockets against the test double.

const requestLog = (n: number, extra: Partial<EmitInput> = {}): EmitInput => ({
  action: 'custom_http_request',
  eventClass: 'request_log',
  context: { n, kind: 'log' },
  ...extra,
});
const auditEvent = (n: number, extra: Partial<EmitInput> = {}): EmitInput => ({
  action: 'login_failed',
  context: { n, kind: 'audit' },
  ...extra,
});

const kindsStored = (fake: FakeAuthentik) => fake.events.map((event) => event.context.kind);

/**
 * The bytes the queue counts for one event, measured on a client of its own whose server is
 * down, so that its event never reaches the test's server.
 */
async function queuedBytesOf(input: EmitInput): Promise<number> {
  const down = await startFake();
  await down.faults.down();
  const probe = track(
    createEventClient({ url: down.url, token: down.token, ...FAST, onError: () => undefined }),
  );
  probe.emit(input);
  const { queuedBytes } = probe.stats();
  await probe.close({ timeoutMs: 0 });
  return queuedBytes;
}

describe('a full queue makes room for audit events', () => {
  it('count bound: every audit event is kept, the oldest request logs go, counted by class', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, drops, errors } = connect(fake, { maxQueueSize: 100 });
    for (let n = 0; n < 100; n++) expect(client.emit(requestLog(n))).toBe(true);
    for (let n = 0; n < 40; n++) expect(client.emit(auditEvent(n))).toBe(true);
    // A request log now is refused: the queue is full and it may not evict an audit event.
    expect(client.emit(requestLog(100))).toBe(false);

    const stats = client.stats();
    expect(stats).toMatchObject({ emitted: 141, queued: 100, dropped: { queue_full: 41 } });
    expect(stats.byClass.audit).toEqual({
      emitted: 40,
      queued: 40,
      delivered: 0,
      dropped: NO_DROPS,
    });
    expect(stats.byClass.request_log).toMatchObject({
      emitted: 101,
      queued: 60,
      dropped: { ...NO_DROPS, queue_full: 41 },
    });
    expectAccounting(stats);
    // onDrop hears of each, with its class: the 40 oldest request logs, then the refused one.
    const dropped = drops.flatMap((drop) => drop.events);
    expect(drops.every((drop) => drop.reason === 'queue_full')).toBe(true);
    expect(dropped.every((event) => event.eventClass === 'request_log')).toBe(true);
    expect(dropped.map((event) => event.input.context?.n)).toEqual([...[...Array(40).keys()], 100]);
    expect(errors.map((error) => error.code)).toEqual(['ERR_AUTHENTIK_EVENTS_QUEUE_FULL']);
    expect(errors[0]?.message).toMatch(/evicting the oldest request logs to make room for audit/);

    await fake.faults.up();
    await client.flush({ timeoutMs: 10_000 });
    const kinds = kindsStored(fake);
    expect(kinds.filter((kind) => kind === 'audit')).toHaveLength(40);
    expect(kinds.filter((kind) => kind === 'log')).toHaveLength(60);
    expect(client.stats().byClass.audit).toMatchObject({ delivered: 40, dropped: NO_DROPS });
  });

  it('byte bound: an audit event larger than every request log together still gets in', async () => {
    const fake = await startFake();
    const logBytes = await queuedBytesOf(requestLog(0));
    const padFor = (bytes: number) => 'x'.repeat(Math.max(0, Math.ceil(bytes / 2)));
    const smallAudit = await queuedBytesOf(auditEvent(0, { context: { kind: 'audit', pad: '' } }));
    // An audit event of about 10.25 request logs, in a queue of 10.5: ten request logs fill it,
    // and the audit event needs all of them gone (it and any one of them would not fit).
    const pad = padFor(10.25 * logBytes - smallAudit);
    const big = auditEvent(0, { context: { kind: 'audit', pad } });
    const bigBytes = await queuedBytesOf(big);
    expect(bigBytes).toBeGreaterThan(10 * logBytes);
    const maxQueueBytes = Math.floor(10.5 * logBytes);
    expect(bigBytes).toBeLessThanOrEqual(maxQueueBytes);
    expect(bigBytes + logBytes).toBeGreaterThan(maxQueueBytes);

    await fake.faults.down();
    const { client, drops } = connect(fake, { maxQueueBytes });
    let accepted = 0;
    for (let n = 0; n < 12; n++) if (client.emit(requestLog(n))) accepted++;
    expect(accepted).toBe(10);
    expect(client.emit(big)).toBe(true);
    expect(client.stats()).toMatchObject({ queued: 1, queuedBytes: bigBytes });
    expect(client.stats().byClass.request_log.dropped.queue_full).toBe(12);
    expect(drops.flatMap((drop) => drop.events).map((event) => event.eventClass)).toEqual(
      Array(12).fill('request_log'),
    );
    expectAccounting(client.stats());

    await fake.faults.up();
    await client.flush({ timeoutMs: 10_000 });
    expect(kindsStored(fake)).toEqual(['audit']);
    expect(String(fake.events[0]?.context.pad).length).toBe(pad.length);
  });

  it('an audit event that would not fit even without every request log is refused, and evicts none', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, drops } = connect(fake, { maxQueueBytes: 40_000 });
    expect(
      client.emit(auditEvent(0, { context: { kind: 'audit', pad: 'a'.repeat(12_000) } })),
    ).toBe(true);
    for (let n = 0; n < 5; n++) client.emit(requestLog(n));
    const before = client.stats();
    expect(client.emit(auditEvent(1, { context: { kind: 'audit', pad: 'b'.repeat(9_000) } }))).toBe(
      false,
    );
    const after = client.stats();
    expect(after.queued).toBe(before.queued);
    expect(after.byClass.request_log.queued).toBe(5);
    expect(after.byClass.audit.dropped.queue_full).toBe(1);
    expect(drops.flatMap((drop) => drop.events).map((event) => event.eventClass)).toEqual([
      'audit',
    ]);
    expectAccounting(after);
  });
});

describe('a queue full of audit events', () => {
  it('drop-newest: new audit events and request logs are refused and counted by class', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, drops } = connect(fake, { maxQueueSize: 10 });
    for (let n = 0; n < 15; n++) client.emit(auditEvent(n));
    for (let n = 0; n < 5; n++) client.emit(requestLog(n));
    const stats = client.stats();
    expect(stats.byClass.audit).toMatchObject({
      emitted: 15,
      queued: 10,
      dropped: { queue_full: 5 },
    });
    expect(stats.byClass.request_log).toMatchObject({
      emitted: 5,
      queued: 0,
      dropped: { queue_full: 5 },
    });
    expect(drops.flatMap((drop) => drop.events).map((event) => event.input.context?.n)).toEqual([
      10, 11, 12, 13, 14, 0, 1, 2, 3, 4,
    ]);
    expectAccounting(stats);
    await fake.faults.up();
    await client.flush({ timeoutMs: 10_000 });
    expect(
      fake.events.map((event) => event.context.n).sort((a, b) => Number(a) - Number(b)),
    ).toEqual([...Array(10).keys()]);
  });

  it('drop-oldest: a new audit event evicts the oldest audit event; a request log is refused', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client, drops } = connect(fake, { maxQueueSize: 10, overflow: 'drop-oldest' });
    for (let n = 0; n < 15; n++) expect(client.emit(auditEvent(n))).toBe(true);
    expect(client.emit(requestLog(0))).toBe(false);
    const stats = client.stats();
    expect(stats.byClass.audit).toMatchObject({ queued: 10, dropped: { queue_full: 5 } });
    expect(stats.byClass.request_log).toMatchObject({ queued: 0, dropped: { queue_full: 1 } });
    const dropped = drops.flatMap((drop) => drop.events);
    expect(dropped.map((event) => [event.eventClass, event.input.context?.n])).toEqual([
      ['audit', 0],
      ['audit', 1],
      ['audit', 2],
      ['audit', 3],
      ['audit', 4],
      ['request_log', 0],
    ]);
    expectAccounting(stats);
    await fake.faults.up();
  });
});

describe('audit events are delivered first', () => {
  it('at close() with a slow server, the audit events go out before the request logs', async () => {
    const fake = await startFake();
    fake.faults.latency(60);
    // One request at a time, so the order in which the server stores them is the order sent.
    const { client } = connect(fake, { concurrency: 1 });
    for (let n = 0; n < 30; n++) client.emit(requestLog(n));
    for (let n = 0; n < 5; n++) client.emit(auditEvent(n));
    // Too short for everything: what is sent, is sent in class order.
    const report = await client.close({ timeoutMs: 1500 });
    expect(report.complete).toBe(false);
    expect(report.dropped.closed).toBeGreaterThan(0);
    const kinds = kindsStored(fake);
    const audits = kinds.filter((kind) => kind === 'audit').length;
    expect(audits).toBeGreaterThan(0);
    // Every audit event before any request log: a request log went only once none was left.
    expect(kinds).toEqual([
      ...Array(audits).fill('audit'),
      ...Array(kinds.length - audits).fill('log'),
    ]);
    if (kinds.length > audits) expect(audits).toBe(5);
    const stats = client.stats();
    expect(stats.byClass.audit).toMatchObject({ emitted: 5, queued: 0, delivered: audits });
    expect(stats.byClass.request_log.dropped.closed).toBe(
      report.dropped.closed - stats.byClass.audit.dropped.closed,
    );
    expectAccounting(stats);
  });

  it('while request logs wait, an audit event emitted later overtakes them', async () => {
    const fake = await startFake();
    fake.faults.latency(30);
    const { client } = connect(fake, { concurrency: 1 });
    for (let n = 0; n < 20; n++) client.emit(requestLog(n));
    // Let the sender start on the request logs, then emit the audit events.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const storedBefore = fake.events.length;
    expect(storedBefore).toBeLessThan(15);
    for (let n = 0; n < 3; n++) client.emit(auditEvent(n));
    await client.flush({ timeoutMs: 10_000 });
    const kinds = kindsStored(fake);
    // At most the request in flight (and one already answered) come between.
    const firstAudit = kinds.indexOf('audit');
    expect(firstAudit).toBeLessThanOrEqual(storedBefore + 2);
    expect(kinds.slice(firstAudit, firstAudit + 3)).toEqual(['audit', 'audit', 'audit']);
    expect(kinds).toHaveLength(23);
  });
});

describe('eventClass: hostile values', () => {
  function quiet(fake: FakeAuthentik, options: ClientOptions = {}) {
    return connect(fake, options);
  }

  it.each([
    ['an unknown name', 'urgent', /got "urgent"/],
    ['the wrong case', 'AUDIT', /got "AUDIT"/],
    ['a number', 1, /got 1\b/],
    ['null', null, /got null/],
    ['an object that looks like the name', { toString: () => 'audit' }, /got object/],
    ['a very long string', 'r'.repeat(100_000), /got "r{40}…"/],
  ])('%s is refused as invalid with a reason that names the field', async (_name, value, said) => {
    const fake = await startFake();
    const { client, errors, drops } = quiet(fake);
    expect(client.emit({ action: 'login', eventClass: value } as unknown as EmitInput)).toBe(false);
    expect(client.stats().dropped.invalid).toBe(1);
    // Counted as an audit event: the app emitted it itself.
    expect(client.stats().byClass.audit.dropped.invalid).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/eventClass must be 'audit' or 'request_log'/);
    expect(errors[0]?.message).toMatch(said);
    expect(errors[0]?.message.length).toBeLessThan(300);
    expect(drops[0]?.events[0]?.eventClass).toBe('audit');
    expectAccounting(client.stats());
  });

  it('a getter that throws is refused as unreadable; one that changes its answer cannot split the count', async () => {
    const fake = await startFake();
    const { client, errors } = quiet(fake);
    const throwing = {
      action: 'login',
      get eventClass(): never {
        throw new Error('boom');
      },
    };
    expect(client.emit(throwing as unknown as EmitInput)).toBe(false);
    expect(errors.at(-1)?.message).toMatch(/could not be read: Error: boom/);
    // First 'request_log' (the class counted), then 'audit': it is queued and counted as the first.
    let reads = 0;
    const flipping = {
      action: 'custom_step',
      get eventClass() {
        return reads++ === 0 ? 'request_log' : 'audit';
      },
    };
    expect(client.emit(flipping as unknown as EmitInput)).toBe(true);
    expect(client.stats().byClass.request_log).toMatchObject({ emitted: 1, queued: 1 });
    expectAccounting(client.stats());
    await client.flush({ timeoutMs: 10_000 });
    expect(client.stats().byClass.request_log).toMatchObject({ emitted: 1, delivered: 1 });
    expect(client.stats().byClass.audit.dropped.invalid).toBe(1);
    expectAccounting(client.stats());
    // The class is the client's business: it never reaches authentik.
    expect(fake.events[0]).not.toHaveProperty('eventClass');
    expect(fake.events[0]?.context).not.toHaveProperty('eventClass');
  });

  it("eventClass: 'audit' is the same as leaving it out", async () => {
    const fake = await startFake();
    await fake.faults.down();
    const { client } = quiet(fake, { maxQueueSize: 2 });
    client.emit(requestLog(0));
    client.emit(requestLog(1));
    expect(client.emit(auditEvent(0, { eventClass: 'audit' }))).toBe(true);
    expect(client.stats().byClass).toMatchObject({
      audit: { queued: 1 },
      request_log: { queued: 1, dropped: { queue_full: 1 } },
    });
    await fake.faults.up();
  });
});

describe('shedIfFull sheds request logs only', () => {
  it('sheds while request logs would be refused, never touching the audit events that keep coming', async () => {
    const fake = await startFake();
    await fake.faults.down();
    const client: EventClient = track(
      createEventClient({
        url: fake.url,
        token: fake.token,
        ...FAST,
        maxQueueSize: 20,
        onError: () => undefined,
      }),
    );
    let shed = 0;
    let audits = 0;
    for (let n = 0; n < 200; n++) {
      if (client.shedIfFull()) shed++;
      else client.emit(requestLog(n));
      if (n % 10 === 0 && client.emit(auditEvent(n))) audits++;
    }
    expect(audits).toBe(20);
    const stats = client.stats();
    expect(stats.byClass.audit).toMatchObject({ emitted: 20, queued: 20, dropped: NO_DROPS });
    expect(shed).toBeGreaterThan(150);
    expect(stats.byClass.request_log.dropped.queue_full).toBeGreaterThanOrEqual(shed);
    expectAccounting(stats);
    await fake.faults.up();
  });
});
