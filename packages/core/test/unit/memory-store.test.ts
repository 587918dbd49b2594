import { describe, expect, it } from 'vitest';
import { MemoryStore, type MemoryStoreLimits } from '../../src/queue/memory-store.js';
import type { QueuedEvent } from '../../src/queued-event.js';

let nextSeq = 0;
function ev(bytes = 10, id?: string): QueuedEvent {
  const seq = nextSeq++;
  return { id: id ?? `e${seq}`, seq, input: { action: 'login' }, bytes };
}

function store(limits: Partial<MemoryStoreLimits> = {}): MemoryStore {
  return new MemoryStore({
    maxCount: 100,
    maxBytes: 1_000_000,
    overflow: 'drop-newest',
    ...limits,
  });
}

function ids(events: readonly QueuedEvent[]): string[] {
  return events.map((e) => e.id);
}

function sumBytes(events: readonly QueuedEvent[]): number {
  return events.reduce((total, e) => total + e.bytes, 0);
}

describe('MemoryStore basics', () => {
  it('starts empty', () => {
    const s = store();
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
    expect(s.take(10)).toEqual([]);
    expect(s.drain()).toEqual([]);
  });

  it('accepts events and counts them and their bytes', () => {
    const s = store();
    expect(s.add(ev(5, 'a'))).toEqual({ accepted: true, evicted: [] });
    expect(s.add(ev(7, 'b'))).toEqual({ accepted: true, evicted: [] });
    expect(s.size).toBe(2);
    expect(s.bytes).toBe(12);
  });

  it('takes oldest first, at most max', () => {
    const s = store();
    for (const id of ['a', 'b', 'c', 'd', 'e']) s.add(ev(1, id));
    expect(ids(s.take(2))).toEqual(['a', 'b']);
    expect(s.size).toBe(3);
    expect(s.bytes).toBe(3);
    expect(ids(s.take(10))).toEqual(['c', 'd', 'e']);
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
  });

  it('take(0) takes nothing', () => {
    const s = store();
    s.add(ev(1, 'a'));
    expect(s.take(0)).toEqual([]);
    expect(s.size).toBe(1);
    expect(s.bytes).toBe(1);
  });

  it('giveBack puts events back at the front, in their order', () => {
    const s = store();
    for (const id of ['a', 'b', 'c', 'd']) s.add(ev(3, id));
    const taken = s.take(2);
    s.add(ev(3, 'e'));
    s.giveBack(taken);
    expect(s.size).toBe(5);
    expect(s.bytes).toBe(15);
    expect(ids(s.drain())).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('giveBack of nothing changes nothing', () => {
    const s = store();
    s.add(ev(3, 'a'));
    s.giveBack([]);
    expect(s.size).toBe(1);
    expect(s.bytes).toBe(3);
  });

  it('acknowledge does not change what is queued', () => {
    const s = store();
    s.add(ev(3, 'a'));
    s.add(ev(3, 'b'));
    const taken = s.take(1);
    s.acknowledge(taken);
    expect(s.size).toBe(1);
    expect(s.bytes).toBe(3);
    expect(ids(s.take(5))).toEqual(['b']);
  });

  it('drain removes and returns everything in order', () => {
    const s = store();
    for (const id of ['a', 'b', 'c']) s.add(ev(2, id));
    s.take(1);
    expect(ids(s.drain())).toEqual(['b', 'c']);
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
    expect(s.drain()).toEqual([]);
  });
});

describe('MemoryStore bounds: drop-newest', () => {
  it('refuses an event beyond the count bound, keeping the queue as it was', () => {
    const s = store({ maxCount: 3 });
    for (const id of ['a', 'b', 'c']) expect(s.add(ev(1, id)).accepted).toBe(true);
    expect(s.add(ev(1, 'd'))).toEqual({ accepted: false, evicted: [] });
    expect(s.size).toBe(3);
    expect(s.bytes).toBe(3);
    expect(ids(s.drain())).toEqual(['a', 'b', 'c']);
  });

  it('refuses an event that would pass the byte bound', () => {
    const s = store({ maxBytes: 100 });
    expect(s.add(ev(60, 'a')).accepted).toBe(true);
    expect(s.add(ev(40, 'b')).accepted).toBe(true); // exactly at the bound
    expect(s.add(ev(1, 'c'))).toEqual({ accepted: false, evicted: [] });
    expect(s.bytes).toBe(100);
    expect(s.size).toBe(2);
  });

  it('accepts again once room is made by take', () => {
    const s = store({ maxCount: 2 });
    s.add(ev(1, 'a'));
    s.add(ev(1, 'b'));
    expect(s.add(ev(1, 'c')).accepted).toBe(false);
    s.take(1);
    expect(s.add(ev(1, 'c')).accepted).toBe(true);
    expect(ids(s.drain())).toEqual(['b', 'c']);
  });

  it('refuses an event larger than the whole byte bound', () => {
    const s = store({ maxBytes: 100 });
    expect(s.add(ev(101, 'huge'))).toEqual({ accepted: false, evicted: [] });
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
  });
});

describe('MemoryStore bounds: drop-oldest', () => {
  it('evicts the oldest event to stay within the count bound, and returns it', () => {
    const s = store({ maxCount: 3, overflow: 'drop-oldest' });
    for (const id of ['a', 'b', 'c']) s.add(ev(1, id));
    const result = s.add(ev(1, 'd'));
    expect(result.accepted).toBe(true);
    expect(ids(result.evicted)).toEqual(['a']);
    expect(s.size).toBe(3);
    expect(s.bytes).toBe(3);
    expect(ids(s.drain())).toEqual(['b', 'c', 'd']);
  });

  it('evicts as many oldest events as the bytes need, oldest first', () => {
    const s = store({ maxBytes: 100, overflow: 'drop-oldest' });
    s.add(ev(30, 'a'));
    s.add(ev(30, 'b'));
    s.add(ev(30, 'c'));
    const result = s.add(ev(65, 'big'));
    expect(result.accepted).toBe(true);
    expect(ids(result.evicted)).toEqual(['a', 'b']);
    expect(s.bytes).toBe(95);
    expect(ids(s.drain())).toEqual(['c', 'big']);
  });

  it('evicts everything when the new event needs the whole bound', () => {
    const s = store({ maxBytes: 100, overflow: 'drop-oldest' });
    s.add(ev(40, 'a'));
    s.add(ev(40, 'b'));
    const result = s.add(ev(100, 'all'));
    expect(ids(result.evicted)).toEqual(['a', 'b']);
    expect(s.size).toBe(1);
    expect(s.bytes).toBe(100);
  });

  it('still refuses an event larger than the whole byte bound, evicting nothing', () => {
    const s = store({ maxBytes: 100, overflow: 'drop-oldest' });
    s.add(ev(50, 'a'));
    expect(s.add(ev(150, 'huge'))).toEqual({ accepted: false, evicted: [] });
    expect(s.size).toBe(1);
    expect(s.bytes).toBe(50);
  });

  it('evicts after a partial take in FIFO order', () => {
    const s = store({ maxCount: 3, overflow: 'drop-oldest' });
    for (const id of ['a', 'b', 'c']) s.add(ev(1, id));
    s.take(1);
    s.add(ev(1, 'd'));
    expect(ids(s.add(ev(1, 'e')).evicted)).toEqual(['b']);
    expect(ids(s.drain())).toEqual(['c', 'd', 'e']);
  });

  it('does not share the evicted array between calls', () => {
    const s = store({ maxCount: 1, overflow: 'drop-oldest' });
    s.add(ev(1, 'a'));
    const first = s.add(ev(1, 'b')).evicted;
    const second = s.add(ev(1, 'c')).evicted;
    expect(ids(first)).toEqual(['a']);
    expect(ids(second)).toEqual(['b']);
  });
});

describe('MemoryStore accounting', () => {
  /** A model queue checked against the store after every operation. */
  function check(s: MemoryStore, model: QueuedEvent[]): void {
    expect(s.size).toBe(model.length);
    expect(s.bytes).toBe(sumBytes(model));
  }

  it('keeps size and bytes exact after every kind of operation', () => {
    const s = store({ maxCount: 5, maxBytes: 50, overflow: 'drop-oldest' });
    const model: QueuedEvent[] = [];
    const add = (bytes: number) => {
      const e = ev(bytes);
      const result = s.add(e);
      for (const gone of result.evicted) expect(model.shift()).toBe(gone);
      if (result.accepted) model.push(e);
      check(s, model);
    };
    add(10);
    add(20);
    add(15);
    add(5);
    add(30); // evicts
    const taken = s.take(2);
    expect(taken).toEqual(model.splice(0, 2));
    check(s, model);
    s.giveBack(taken);
    model.unshift(...taken);
    check(s, model);
    add(1);
    add(1);
    add(1); // count bound: evicts
    expect(s.drain()).toEqual(model.splice(0));
    check(s, model);
  });

  it('stays consistent over 100 000 adds and takes', () => {
    const s = store({ maxCount: 1000, maxBytes: 200_000, overflow: 'drop-oldest' });
    const model: QueuedEvent[] = [];
    let modelHead = 0;
    let modelBytes = 0;
    let evictions = 0;
    let mismatches = 0;
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 100_000; i++) {
      const e = ev(1 + Math.floor(random() * 400));
      const result = s.add(e);
      for (const gone of result.evicted) {
        if (gone !== model[modelHead]) mismatches++;
        modelBytes -= gone.bytes;
        modelHead++;
        evictions++;
      }
      if (!result.accepted) mismatches++;
      model.push(e);
      modelBytes += e.bytes;
      if (random() < 0.45) {
        const count = Math.floor(random() * 5);
        const taken = s.take(count);
        for (const t of taken) {
          if (t !== model[modelHead]) mismatches++;
          modelBytes -= t.bytes;
          modelHead++;
        }
        if (random() < 0.05 && taken.length > 0) {
          s.giveBack(taken);
          modelHead -= taken.length;
          for (const t of taken) modelBytes += t.bytes;
        }
      }
      // Checked after every operation, asserted once (100 000 expect calls would be slow).
      if (s.size !== model.length - modelHead || s.bytes !== modelBytes) mismatches++;
      if (s.size > 1000 || s.bytes > 200_000) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(evictions).toBeGreaterThan(0);
    expect(s.size).toBeLessThanOrEqual(1000);
    expect(s.bytes).toBeLessThanOrEqual(200_000);
    expect(s.size).toBe(model.length - modelHead);
    expect(s.bytes).toBe(modelBytes);
    const rest = s.drain();
    expect(rest).toEqual(model.slice(modelHead));
    expect(s.size).toBe(0);
    expect(s.bytes).toBe(0);
  });

  it('handles 100 000 events added then taken in batches, in order', () => {
    const s = store({ maxCount: 100_000, maxBytes: 100_000_000 });
    const all: QueuedEvent[] = [];
    let refused = 0;
    for (let i = 0; i < 100_000; i++) {
      const e = ev(3);
      all.push(e);
      if (!s.add(e).accepted) refused++;
    }
    expect(refused).toBe(0);
    expect(s.add(ev(3)).accepted).toBe(false);
    expect(s.size).toBe(100_000);
    expect(s.bytes).toBe(300_000);
    let position = 0;
    let mismatches = 0;
    while (s.size > 0) {
      const batch = s.take(50);
      for (const e of batch) if (e !== all[position++]) mismatches++;
      if (s.bytes !== (100_000 - position) * 3) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(position).toBe(100_000);
  });
});
