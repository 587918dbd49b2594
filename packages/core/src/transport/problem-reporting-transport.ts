import { type ConnectionProblem, connectionProblem } from './connection-problem.js';
import { type Transport, TransportError, type TransportResponse } from './transport.js';

/** Where connection problems go (the client's reporter: once per episode, to onError or a warning). */
export interface ConnectionProblemSink {
  problem(code: ConnectionProblem['code'], message: string, cause: TransportError): void;
  /** A delivery succeeded: the next problem of any kind starts a new episode. */
  recovered(): void;
}

/**
 * Reports a failure that means "authentik cannot be reached as configured" (refused, unknown
 * host, untrusted certificate…) at its first occurrence, instead of after the retries of the
 * first event ran out (up to 10 minutes of silence). Wraps either transport, so the worker's
 * failures are seen the same way.
 */
export class ProblemReportingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly endpoint: URL,
    private readonly sink: ConnectionProblemSink,
  ) {}

  async send(body: string, signal: AbortSignal): Promise<TransportResponse> {
    let response: TransportResponse;
    try {
      response = await this.inner.send(body, signal);
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'network') {
        const problem = connectionProblem(error.code);
        if (problem) {
          this.sink.problem(problem.code, problem.explain(this.endpoint, error.message), error);
        }
      }
      throw error;
    }
    if (response.status >= 200 && response.status < 300) this.sink.recovered();
    return response;
  }

  /** Whether the requests run in the delivery worker (read by the stall report). */
  get usesWorker(): boolean {
    return (this.inner as { usesWorker?: boolean }).usesWorker === true;
  }

  close(): void {
    this.inner.close();
  }
}
