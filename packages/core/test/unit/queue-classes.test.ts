import { describe, expect, it } from 'vitest';
import { HoldingQueue } from '../../src/queue/holding-queue.js';
import { MemoryStore } from '../../src/queue/memory-store.js';
import { admission, type QueueLimits } from '../../src/queue/overflow-policy.js';
import { classOf, type QueuedEvent } from '../../src/queued-event.js';
import type { EventClass } from '../../src/types.js';

// The queue's two classes: audit events are handed out first and never evicted or refused to
// make room for a request log; request logs go first when the queue is full.

let nextSeq = 0;
function audit(id: string, bytes = 10): QueuedEvent {
  return { id, seq: nextSeq++, input: { action: 'login' }, bytes };
}
function requestLog(id: string, bytes = 10): QueuedEvent {
  const input = { action: 'custom_http_request' as const, eventClass: 'request_log' as const };
  return { id, seq: nextSeq++, input, bytes };
}

const ids = (events: readonly QueuedEvent[]) => events.map((event) => event.id);

function limits(partial: Partial<QueueLimits> = {}): QueueLimits {
  return { maxCount: 100, maxBytes: 1_000_000, overflow: 'drop-newest', ...partial };
}

describe('store order: audit events first', () => {
  it('take hands out every audit event before any request log, each class oldest first', () => {
    const store = new MemoryStore(limits());
    store.add(requestLog('r1'));
    store.add(audit('a1'));
    store.add(requestLog('r2'));
    store.add(audit('a2'));
    expect(ids(store.take(1))).toEqual(['a1']);
    expect(ids(store.take(3))).toEqual(['a2', 'r1', 'r2']);
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('an audit event that arrives after request logs is still taken before them', () => {
    const store = new MemoryStore(limits());
    for (let n = 0; n < 5; n++) store.add(requestLog(`r${n}`));
    expect(ids(store.take(2))).toEqual(['r0', 'r1']);
    store.add(audit('late'));
    expect(ids(store.take(1))).toEqual(['late']);
  });

  it('giveBack puts each event back at the front of its class; drain is audit first', () => {
    const store = new MemoryStore(limits());
    for (const event of [audit('a1'), requestLog('r1'), audit('a2'), requestLog('r2')])
      store.add(event);
    const taken = store.take(3); // a1, a2, r1
    store.add(audit('a3'));
    store.giveBack(taken);
    expect(store.levelOf('audit')).toMatchObject({ size: 3, bytes: 30 });
    expect(store.levelOf('request_log')).toMatchObject({ size: 2, bytes: 20 });
    expect(ids(store.drain())).toEqual(['a1', 'a2', 'a3', 'r1', 'r2']);
  });
});

describe('drop-newest: an audit event evicts request logs, a request log is refused', () => {
  it('count bound: a new audit event evicts the oldest request log', () => {
    const store = new MemoryStore(limits({ maxCount: 3 }));
    for (const id of ['r1', 'r2', 'r3']) store.add(requestLog(id));
    const result = store.add(audit('a1'));
    expect(result.accepted).toBe(true);
    expect(ids(result.evicted)).toEqual(['r1']);
    expect(store.size).toBe(3);
    // A request log is refused, the queue unchanged.
    expect(store.add(requestLog('r4'))).toEqual({ accepted: false, evicted: [] });
    expect(ids(store.drain())).toEqual(['a1', 'r2', 'r3']);
  });

  it('byte bound: as many request logs go as the bytes need, oldest first', () => {
    const store = new MemoryStore(limits({ maxBytes: 100 }));
    for (const id of ['r1', 'r2', 'r3', 'r4']) store.add(requestLog(id, 25));
    const result = store.add(audit('a1', 60));
    expect(ids(result.evicted)).toEqual(['r1', 'r2', 'r3']);
    expect(store.bytes).toBe(85);
    expect(ids(store.drain())).toEqual(['a1', 'r4']);
  });

  it('an audit event larger than all request logs together, within the bound, evicts them all', () => {
    const store = new MemoryStore(limits({ maxBytes: 1000 }));
    store.add(audit('a1', 100));
    for (let n = 0; n < 10; n++) store.add(requestLog(`r${n}`, 50)); // 500 bytes of request logs
    const result = store.add(audit('big', 900));
    expect(result.accepted).toBe(true);
    expect(result.evicted).toHaveLength(10);
    expect(result.evicted.every((event) => classOf(event) === 'request_log')).toBe(true);
    expect(store.bytes).toBe(1000);
    expect(ids(store.drain())).toEqual(['a1', 'big']);
  });

  it('an audit event that would not fit even without every request log is refused, evicting none', () => {
    const store = new MemoryStore(limits({ maxBytes: 1000 }));
    store.add(audit('a1', 400));
    for (let n = 0; n < 4; n++) store.add(requestLog(`r${n}`, 100));
    expect(store.add(audit('too-big', 700))).toEqual({ accepted: false, evicted: [] });
    expect(store.size).toBe(5);
    expect(store.bytes).toBe(800);
  });

  it('a queue full of audit events refuses both classes, evicting nothing', () => {
    const store = new MemoryStore(limits({ maxCount: 2 }));
    store.add(audit('a1'));
    store.add(audit('a2'));
    expect(store.add(audit('a3'))).toEqual({ accepted: false, evicted: [] });
    expect(store.add(requestLog('r1'))).toEqual({ accepted: false, evicted: [] });
    expect(ids(store.drain())).toEqual(['a1', 'a2']);
  });

  it('an event larger than the whole byte bound is refused, whatever its class', () => {
    const store = new MemoryStore(limits({ maxBytes: 100 }));
    store.add(requestLog('r1', 50));
    expect(store.add(audit('huge', 101))).toEqual({ accepted: false, evicted: [] });
    expect(store.size).toBe(1);
  });
});

describe('drop-oldest: request logs go before audit events', () => {
  it('a new audit event evicts request logs first, then the oldest audit events', () => {
    const store = new MemoryStore(limits({ maxCount: 3, overflow: 'drop-oldest' }));
    store.add(audit('a1'));
    store.add(requestLog('r1'));
    store.add(audit('a2'));
    expect(ids(store.add(audit('a3')).evicted)).toEqual(['r1']);
    expect(ids(store.add(audit('a4')).evicted)).toEqual(['a1']);
    expect(ids(store.drain())).toEqual(['a2', 'a3', 'a4']);
  });

  it('byte bound: request logs first, then audit events, oldest first in each', () => {
    const store = new MemoryStore(limits({ maxBytes: 100, overflow: 'drop-oldest' }));
    store.add(audit('a1', 30));
    store.add(requestLog('r1', 20));
    store.add(audit('a2', 30));
    store.add(requestLog('r2', 20));
    const result = store.add(audit('big', 60));
    expect(ids(result.evicted)).toEqual(['r1', 'r2', 'a1']);
    expect(ids(store.drain())).toEqual(['a2', 'big']);
  });

  it('a new request log evicts the oldest request log, never an audit event', () => {
    const store = new MemoryStore(limits({ maxCount: 3, overflow: 'drop-oldest' }));
    store.add(requestLog('r1'));
    store.add(audit('a1'));
    store.add(requestLog('r2'));
    expect(ids(store.add(requestLog('r3')).evicted)).toEqual(['r1']);
    expect(ids(store.add(requestLog('r4')).evicted)).toEqual(['r2']);
    expect(ids(store.drain())).toEqual(['a1', 'r3', 'r4']);
  });

  it('a request log is refused when only audit events could make room', () => {
    const store = new MemoryStore(limits({ maxBytes: 100, overflow: 'drop-oldest' }));
    store.add(audit('a1', 60));
    store.add(requestLog('r1', 20));
    // Evicting r1 leaves 60 + 50 > 100: refused, and r1 stays.
    expect(store.add(requestLog('r2', 50))).toEqual({ accepted: false, evicted: [] });
    expect(ids(store.drain())).toEqual(['a1', 'r1']);
  });
});

describe('held events have a class too', () => {
  function queueOf(partial: Partial<QueueLimits>) {
    const queueLimits = limits(partial);
    const store = new MemoryStore(queueLimits);
    return { store, queue: new HoldingQueue(store, queueLimits) };
  }

  it('an audit event evicts ready request logs first, then held ones, never a held audit event', () => {
    const { queue } = queueOf({ maxCount: 4 });
    queue.add(requestLog('r-ready'));
    queue.hold(requestLog('r-held'));
    queue.hold(audit('a-held'));
    queue.add(audit('a-ready'));
    expect(ids(queue.add(audit('a1')).evicted)).toEqual(['r-ready']);
    expect(ids(queue.add(audit('a2')).evicted)).toEqual(['r-held']);
    expect(queue.add(audit('a3'))).toEqual({ accepted: false, evicted: [] });
    expect(queue.heldCount).toBe(1);
    expect(queue.levelOf('audit')).toEqual({ size: 4, bytes: 40 });
    expect(queue.levelOf('request_log')).toEqual({ size: 0, bytes: 0 });
  });

  it('a held audit event counts against the bounds and refuses request logs when full', () => {
    const { queue } = queueOf({ maxBytes: 100, overflow: 'drop-oldest' });
    queue.hold(audit('a-held', 90));
    expect(queue.hold(requestLog('r1', 20))).toEqual({ accepted: false, evicted: [] });
    expect(queue.refusesAny('request_log', 11)).toBe(true);
    expect(queue.refusesAny('request_log', 10)).toBe(false);
    // An audit event may evict the held audit event (drop-oldest) to fit.
    expect(ids(queue.add(audit('a1', 20)).evicted)).toEqual(['a-held']);
    expect(queue.isHeld(audit('a-held'))).toBe(false);
  });

  it('completing keeps the class; heldEvents lists audit events first', () => {
    const { queue, store } = queueOf({});
    const heldLog = requestLog('r-held');
    const heldAudit = audit('a-held');
    queue.hold(heldLog);
    queue.hold(heldAudit);
    expect(ids(queue.heldEvents())).toEqual(['a-held', 'r-held']);
    expect(queue.complete(heldLog, { ...heldLog, bytes: 5 })).toBe(true);
    expect(queue.complete(heldAudit, heldAudit)).toBe(true);
    expect(queue.complete(heldAudit, heldAudit)).toBe(false); // no longer held
    expect(store.levelOf('request_log')).toMatchObject({ size: 1, bytes: 5 });
    expect(ids(store.take(2))).toEqual(['a-held', 'r-held']);
  });

  it('refusesAny decides as add does: by class, by the smallest event', () => {
    const { queue } = queueOf({ maxCount: 2 });
    queue.add(requestLog('r1'));
    queue.hold(requestLog('r2'));
    expect(queue.refusesAny('request_log', 1)).toBe(true);
    expect(queue.refusesAny('audit', 1)).toBe(false);
    expect(admission(queue, 'audit', 1, limits({ maxCount: 2 }))).toBe('evict');
  });
});

describe('class-aware overflow over 50 000 random operations', () => {
  it.each(['drop-newest', 'drop-oldest'] as const)(
    '%s: bounds hold, an audit event never goes for a request log, audit events are taken first',
    (overflow) => {
      const queueLimits = limits({ maxCount: 200, maxBytes: 20_000, overflow });
      const store = new MemoryStore(queueLimits);
      const queue = new HoldingQueue(store, queueLimits);
      const held: QueuedEvent[] = [];
      const problems: string[] = [];
      let seed = 11;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      const counts = { auditEvicted: 0, requestLogsEvicted: 0, auditRefused: 0 };
      for (let i = 0; i < 50_000; i++) {
        const eventClass: EventClass = random() < 0.2 ? 'audit' : 'request_log';
        const bytes = 1 + Math.floor(random() * 300);
        const event = eventClass === 'audit' ? audit(`a${i}`, bytes) : requestLog(`r${i}`, bytes);
        const before = { size: queue.size, bytes: queue.bytes, logs: queue.levelOf('request_log') };
        const result = random() < 0.1 ? queue.hold(event) : queue.add(event);
        if (result.accepted && random() < 0.1 && queue.isHeld(event)) held.push(event);
        for (const gone of result.evicted) {
          if (classOf(gone) === 'audit') {
            counts.auditEvicted++;
            if (eventClass === 'request_log') problems.push(`${gone.id} evicted for ${event.id}`);
            if (overflow === 'drop-newest') problems.push(`${gone.id} evicted under drop-newest`);
          } else counts.requestLogsEvicted++;
        }
        if (!result.accepted) {
          if (result.evicted.length > 0 || queue.size !== before.size)
            problems.push(`${event.id} refused, yet the queue changed`);
          // An audit event is refused only when the request logs could not make room for it.
          const withoutLogs = {
            size: before.size - before.logs.size,
            bytes: before.bytes - before.logs.bytes,
          };
          if (
            eventClass === 'audit' &&
            withoutLogs.size < 200 &&
            withoutLogs.bytes + bytes <= 20_000
          )
            problems.push(`${event.id} refused although request logs could make room`);
          if (eventClass === 'audit') counts.auditRefused++;
        }
        if (queue.size > 200 || queue.bytes > 20_000) problems.push(`bound passed at ${i}`);
        if (random() < 0.3) {
          const taken = store.take(1 + Math.floor(random() * 3));
          const firstLog = taken.findIndex((each) => classOf(each) === 'request_log');
          const auditAfterLog = taken
            .slice(Math.max(firstLog, 0) + 1)
            .some((e) => classOf(e) === 'audit');
          if (firstLog >= 0 && (auditAfterLog || store.levelOf('audit').size > 0))
            problems.push(`request log taken before an audit event at ${i}`);
        }
        if (random() < 0.05) {
          const done = held.shift();
          if (done) queue.complete(done, done);
        }
      }
      expect(problems.slice(0, 5)).toEqual([]);
      expect(counts.requestLogsEvicted).toBeGreaterThan(0);
      if (overflow === 'drop-oldest') expect(counts.auditEvicted).toBeGreaterThan(0);
    },
  );
});
