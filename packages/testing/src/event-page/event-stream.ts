import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventStore, StoreChange } from '../event-store.js';
import type { Timers } from '../timers.js';
import { pageEventJson } from './page-event.js';

export interface StreamLimits {
  /** Pages connected at once; more are answered 503. */
  maxClients: number;
  /** Events sent to a page when it connects (the newest). */
  backlogEvents: number;
  /** Characters of those events (as JSON), at most. */
  backlogChars: number;
  /** A page that has not read this much of what it was sent is disconnected (it reconnects). */
  maxBufferedBytes: number;
  /** A comment line this often, so proxies and the browser see the stream alive. */
  heartbeatMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxClients: 16,
  backlogEvents: 500,
  backlogChars: 8 * 1024 * 1024,
  maxBufferedBytes: 16 * 1024 * 1024,
  heartbeatMs: 15_000,
};

/** `EventSource` reconnects after this long when the stream breaks (the fake went down()). */
const RETRY_MS = 2000;

const dataFrame = (json: string): string => `data: ${json}\n\n`;

/**
 * The live feed of the event page: server-sent events, one `data:` frame per stored event.
 * A page that connects gets `reset` (with the number of stored events), the newest events
 * oldest first, then `ready`, then every new event as it is stored; `clear()` sends `reset`
 * and `ready` again. Nothing about requests (headers, the token) is ever written here, only
 * the stored events. Events are serialised once, and only while a page is connected.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly timers: Timers,
    private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS,
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  open(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
    if (this.clients.size >= this.limits.maxClients) {
      res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(
        `the event page has ${this.limits.maxClients} live connections already: close a tab of it\n`,
      );
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n${this.snapshot()}`);
    this.clients.add(res);
    this.stopWatching ??= this.store.watch((change) => this.onChange(change));
    const stopHeartbeat = this.timers.every(this.limits.heartbeatMs, () =>
      this.send(res, ': alive\n\n'),
    );
    const forget = () => {
      stopHeartbeat();
      this.clients.delete(res);
      if (this.clients.size === 0) {
        this.stopWatching?.();
        this.stopWatching = undefined;
      }
    };
    res.once('close', forget);
    req.once('error', () => res.destroy());
  }

  /** Ends every open stream (the fake is closing). */
  closeAll(): void {
    for (const res of this.clients) res.destroy();
  }

  private onChange(change: StoreChange): void {
    const frame =
      change.kind === 'added' ? dataFrame(pageEventJson(change.event)) : this.snapshot();
    for (const res of this.clients) this.send(res, frame);
  }

  /** `reset`, the newest events (within the backlog bounds) oldest first, then `ready`. */
  private snapshot(): string {
    const { events } = this.store;
    const frames: string[] = [];
    let chars = 0;
    for (let i = events.length - 1; i >= 0 && frames.length < this.limits.backlogEvents; i--) {
      const frame = dataFrame(pageEventJson(events[i] as (typeof events)[number]));
      chars += frame.length;
      if (chars > this.limits.backlogChars) break;
      frames.push(frame);
    }
    const total = JSON.stringify({ total: events.length, sent: frames.length });
    return `event: reset\ndata: ${total}\n\n${frames.reverse().join('')}event: ready\ndata: {}\n\n`;
  }

  /** Writes a frame, or drops a page that stopped reading instead of buffering for it forever. */
  private send(res: ServerResponse, frame: string): void {
    if (res.destroyed) return;
    if (res.writableLength > this.limits.maxBufferedBytes) {
      res.destroy();
      return;
    }
    res.write(frame);
  }
}
