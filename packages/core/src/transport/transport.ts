/** What the server answered, as far as delivery needs it. */
export interface TransportResponse {
  status: number;
  /** The raw `Retry-After` header, if any. */
  retryAfter: string | undefined;
  /** Where a redirect points (never followed; said in the message), if any. */
  location?: string;
  /** The start of the body (capped), for error messages. */
  body: string;
  /**
   * How long the exchange took where it ran (ms): the adaptive limit's sample. Measured by the
   * thread that sends, so that the hand-offs between threads do not count as the server's time.
   */
  elapsedMs?: number;
}

/** Sends one serialised event. Rejects with a `TransportError` on network failure or timeout. */
export interface Transport {
  send(body: string, signal: AbortSignal): Promise<TransportResponse>;
  /** Closes idle connections; requests in flight are ended by their abort signals. */
  close(): void;
}

export type TransportFailure = 'network' | 'timeout' | 'aborted';

export class TransportError extends Error {
  readonly kind: TransportFailure;
  /** The system's or TLS's code of a network failure (`ECONNREFUSED`, `CERT_HAS_EXPIRED`…). */
  readonly code: string | undefined;
  constructor(kind: TransportFailure, message: string, cause?: unknown, code?: string) {
    super(message, { cause });
    this.name = 'TransportError';
    this.kind = kind;
    this.code = code;
  }
}
