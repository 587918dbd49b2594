import { randomUUID } from 'node:crypto';
import { formatDateTime, type Instant, instantFromMs } from './datetime.js';
import { timerDelay } from './timers.js';
import type { StoredEvent } from './types.js';
import type { ValidEvent } from './validate-event.js';

/** authentik's default event retention when the tenant has not changed it. */
const RETENTION_MS = 365 * 24 * 60 * 60 * 1000;

interface Waiter {
  n: number;
  resolve: (events: StoredEvent[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * authentik's default brand value for an event: model_to_dict of its in-memory fallback brand
 * (domain "fallback"), whose pk is random per process.
 */
export function fallbackBrand(): Record<string, unknown> {
  const pk = randomUUID().replace(/-/g, '');
  return { pk, app: 'authentik_brands', model_name: 'brand', name: 'Brand fallback' };
}

/** What a watcher of the store (the event page) hears: one stored event, or everything cleared. */
export type StoreChange = { kind: 'added'; event: StoredEvent } | { kind: 'cleared' };

/** The stored events (oldest first) and the promises waiting for enough of them. */
export class EventStore {
  readonly events: StoredEvent[] = [];
  private waiters: Waiter[] = [];
  private readonly watchers = new Set<(change: StoreChange) => void>();
  private readonly fallback = fallbackBrand();

  constructor(private readonly onEvent?: (event: StoredEvent) => void) {}

  /** Stores an event the way authentik's model defaults fill it in; keys in serializer order. */
  add(valid: ValidEvent, now: number): StoredEvent {
    const expires: Instant = valid.expires ?? instantFromMs(now + RETENTION_MS);
    const event: StoredEvent = {
      pk: randomUUID(),
      user: valid.user ?? {},
      action: valid.action,
      app: valid.app,
      context: valid.context ?? {},
      client_ip: valid.client_ip,
      created: formatDateTime(instantFromMs(now)),
      expires: formatDateTime(expires),
      brand: valid.brand ?? { ...this.fallback },
    };
    this.events.push(event);
    if (this.waiters.length > 0) this.settleWaiters();
    for (const watcher of this.watchers) watcher({ kind: 'added', event });
    this.onEvent?.(event);
    return event;
  }

  /** Calls `watcher` on every change from now on; returns the function that stops it. */
  watch(watcher: (change: StoreChange) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  waitFor(n: number, timeoutMs: number): Promise<StoredEvent[]> {
    if (!Number.isInteger(n) || n < 0)
      return Promise.reject(
        new RangeError(`waitForEvents: n must be an integer >= 0, got ${describeArgument(n)}`),
      );
    // Checked, not passed to setTimeout as it is: Node would fire a NaN, negative or too long
    // timeout after 1 ms (and Node.js 24 warns about each), so a typo would time out at once.
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))
      return Promise.reject(
        new RangeError(
          `waitForEvents: timeoutMs must be a number of milliseconds >= 0 (Infinity waits until close()), got ${describeArgument(timeoutMs)}`,
        ),
      );
    if (this.events.length >= n) return Promise.resolve(this.events);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `waitForEvents: timed out after ${timeoutMs} ms with ${this.events.length} of ${n} events`,
          ),
        );
      }, timerDelay(timeoutMs));
      const waiter: Waiter = { n, resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  private settleWaiters(): void {
    const count = this.events.length;
    this.waiters = this.waiters.filter((w) => {
      if (count < w.n) return true;
      clearTimeout(w.timer);
      w.resolve(this.events);
      return false;
    });
  }

  clear(): void {
    this.events.length = 0;
    for (const watcher of this.watchers) watcher({ kind: 'cleared' });
  }

  rejectWaiters(reason: string): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`waitForEvents: ${reason}`));
    }
    this.waiters = [];
  }
}

/** A caller's argument in an error message, whatever it is (a symbol cannot be interpolated). */
function describeArgument(value: unknown): string {
  return typeof value === 'number' ? String(value) : `a ${typeof value}`;
}
