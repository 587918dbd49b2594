import type { Transport, TransportResponse } from '../transport/transport.js';
import { TransportError } from '../transport/transport.js';

/** What the requests of one sender are doing, for a stall report. */
export interface TransportObservations {
  /** Requests handed to the transport and not answered yet. */
  outstanding: number;
  /** When the oldest of them was handed over (ms since the epoch), if any. */
  oldestSentAt: number | undefined;
  /** The last HTTP answer (any status), if any. */
  lastAnswer: { at: number; status: number } | undefined;
  /** The last request that got no answer (network error, timeout), if any. */
  lastFailure: { at: number; message: string } | undefined;
  /** Whether the requests run in the delivery worker (false: on the app's event loop). */
  inWorker: boolean;
}

/**
 * Wraps the sender's transport to remember what it cannot otherwise tell when delivery stops:
 * how many requests are out and since when, and what authentik last answered. Costs a map
 * entry per request in flight (at most the sender's limit).
 */
export class ObservedTransport implements Transport {
  private readonly sentAt = new Map<number, number>();
  private nextId = 0;
  private lastAnswer: TransportObservations['lastAnswer'];
  private lastFailure: TransportObservations['lastFailure'];

  constructor(private readonly inner: Transport) {}

  async send(body: string, signal: AbortSignal): Promise<TransportResponse> {
    const id = ++this.nextId;
    this.sentAt.set(id, Date.now());
    try {
      const response = await this.inner.send(body, signal);
      this.lastAnswer = { at: Date.now(), status: response.status };
      return response;
    } catch (error) {
      if (!(error instanceof TransportError && error.kind === 'aborted')) {
        const message = error instanceof Error ? error.message : String(error);
        this.lastFailure = { at: Date.now(), message };
      }
      throw error;
    } finally {
      this.sentAt.delete(id);
    }
  }

  close(): void {
    this.inner.close();
  }

  observations(): TransportObservations {
    // A Map iterates in insertion order: the first entry is the oldest request still out.
    const oldest = this.sentAt.values().next();
    return {
      outstanding: this.sentAt.size,
      oldestSentAt: oldest.done ? undefined : oldest.value,
      lastAnswer: this.lastAnswer,
      lastFailure: this.lastFailure,
      inWorker: (this.inner as { usesWorker?: boolean }).usesWorker === true,
    };
  }
}
