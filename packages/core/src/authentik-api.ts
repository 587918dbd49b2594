import { setMaxListeners } from 'node:events';
import { Agent, fetch } from 'undici';
import { AuthentikEventsError, DeliveryError } from './errors.js';
import { BodyTooLarge, readCappedText } from './read-capped-body.js';
import { ReadGate, ReadRefused } from './read-gate.js';
import { contextTrusting } from './transport/trusted-certificates.js';

/** Reads from authentik's API with the client's URL and token (brand and user lookups). */
export interface AuthentikApi {
  /**
   * GETs a JSON document. Rejects (never throws synchronously) with an `AuthentikEventsError`
   * whose message never holds the token, a `ReadRefused` when too many reads are already
   * running and waiting or the client closed, or the reason of `signal` when it aborted.
   */
  get<T = unknown>(path: string, query?: Record<string, string>, options?: ReadOptions): Promise<T>;
  /** Whether a read asked for now would be refused at once (every slot busy, the line full). */
  readonly full: boolean;
  /** Whether no read is running or waiting. */
  readonly idle: boolean;
  /** The deadline of one read, from asking for a slot to the end of the answer. */
  readonly timeoutMs: number;
  /** Aborts the reads in flight and refuses new ones (the client closed). Idempotent. */
  close(): void;
}

/** @deprecated The former name of {@link AuthentikApi}. */
export type AuthentikReader = AuthentikApi;

export interface ReadOptions {
  /** Aborts this read (e.g. its cache entry was evicted). */
  signal?: AbortSignal;
}

/** Reads running at once: enough for brand and user lookups, never a flood on authentik. */
export const READ_SLOTS = 4;
/** Reads waiting for a slot; beyond this a lookup is skipped, its events go on without it. */
export const MAX_READS_WAITING = 32;
/** No answer of the users or brands lists is this long (a page is at most 100 entries). */
export const MAX_READ_BYTES = 1024 * 1024;

const LOOKUP_ERROR = 'ERR_AUTHENTIK_EVENTS_LOOKUP';
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The failure of one read, in words that never include the token (the server's words are not quoted). */
function lookupError(message: string): AuthentikEventsError {
  return new AuthentikEventsError(LOOKUP_ERROR, message);
}

/** Why fetch failed, from its cause's code where it has one (ECONNREFUSED, ENOTFOUND, a TLS code). */
function describeFetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return `${cause.code}: ${String(cause.message)}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export function createAuthentikApi(
  baseUrl: URL,
  token: string,
  timeoutMs: number,
  userAgent: string,
  ca?: readonly string[],
): AuthentikApi {
  const base = baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`;
  // The `ca` option trusts authentik's certificate here as for delivery.
  const dispatcher = ca
    ? new Agent({ connect: { secureContext: contextTrusting(ca) } })
    : undefined;
  const gate = new ReadGate(READ_SLOTS, MAX_READS_WAITING);
  const closing = new AbortController();
  // Every read in flight listens on it; past 10, Node would warn on the app's stderr.
  setMaxListeners(0, closing.signal);
  /** Whatever ends up in a message, the token does not (a fetch error can quote the header). */
  const masked = (text: string) => (token === '' ? text : text.split(token).join('[token]'));

  async function read<T>(
    url: URL,
    signal: AbortSignal,
    timedOut: () => boolean,
    callerSignal: AbortSignal | undefined,
  ): Promise<T> {
    const what = `GET ${url.pathname}`;
    let release: (() => void) | undefined;
    try {
      release = await gate.enter(signal);
      // Redirects are not followed, so the token is never sent to another host.
      const response = await fetch(url, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'user-agent': userAgent,
        },
        redirect: 'manual',
        signal,
        dispatcher,
      });
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        const reason =
          response.status === 403 || response.status === 401 ? 'unauthorized' : 'rejected';
        const redirect = response.status >= 300 && response.status < 400;
        throw new DeliveryError(
          reason,
          `${what} answered ${response.status}${redirect ? ' (a redirect, not followed: the token goes to the configured URL only)' : ''}`,
          { status: response.status },
        );
      }
      const text = await readCappedText(response, MAX_READ_BYTES);
      try {
        return JSON.parse(text) as T;
      } catch {
        // JSON.parse quotes the text it failed on, which may be the server echoing our headers.
        throw lookupError(`${what} answered 200 with a body that is not JSON`);
      }
    } catch (error) {
      if (error instanceof AuthentikEventsError || error instanceof ReadRefused) throw error;
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (closing.signal.aborted) throw new ReadRefused('closed', `${what}: the client closed`);
      if (timedOut()) throw lookupError(`${what} had no complete answer within ${timeoutMs} ms`);
      if (error instanceof BodyTooLarge) throw lookupError(`${what}: ${error.message}`);
      throw lookupError(masked(`${what} failed (${describeFetchFailure(error)})`));
    } finally {
      release?.();
    }
  }

  return {
    get<T>(path: string, query: Record<string, string> = {}, options: ReadOptions = {}) {
      if (closing.signal.aborted)
        return Promise.reject(new ReadRefused('closed', `GET ${path}: the client closed`));
      let url: URL;
      try {
        url = new URL(path.replace(/^\//, ''), base);
        for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
      } catch {
        return Promise.reject(lookupError(`GET ${path}: not a URL under ${base}`));
      }
      // One deadline for the wait for a slot, the answer and its body: a lookup ends in time.
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(
        () => {
          timedOut = true;
          controller.abort(new Error('timeout'));
        },
        // Past 2^31 - 1 ms Node fires a timer after 1 ms: longer is "as long as a timer can wait".
        Math.min(timeoutMs, MAX_TIMER_MS),
      );
      timer.unref();
      const abort = () => controller.abort(new Error('aborted'));
      const signals = [closing.signal, options.signal].filter(
        (signal): signal is AbortSignal => signal !== undefined,
      );
      for (const signal of signals) {
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      }
      return read<T>(url, controller.signal, () => timedOut, options.signal).finally(() => {
        clearTimeout(timer);
        for (const signal of signals) signal.removeEventListener('abort', abort);
      });
    },
    get full() {
      return gate.full;
    },
    get idle() {
      return gate.idle;
    },
    timeoutMs,
    close() {
      closing.abort(new Error('the client closed'));
    },
  };
}
