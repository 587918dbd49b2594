import { type Dispatcher, fetch } from 'undici';
import { readCappedText } from '../read-capped-body.js';

/** No answer the check reads is larger: authentik's are a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** What one request of the check came back with; never thrown. */
export type Exchange =
  | {
      kind: 'answer';
      status: number;
      /** The body parsed as JSON, or `undefined` when it is not JSON (an HTML page). */
      json: unknown;
      /** Where a redirect pointed (its origin and path only). */
      location?: string;
    }
  /** No HTTP answer: `code` is the network error's (ECONNREFUSED, a TLS code), `timedOut` at the deadline. */
  | { kind: 'failed'; code?: string; detail: string; timedOut: boolean };

export interface ExchangeSettings {
  baseUrl: string;
  token: string;
  userAgent: string;
  dispatcher: Dispatcher;
  signal: AbortSignal;
}

/** The network error's code and words, from fetch's `cause` (undici puts the socket's error there). */
function failureOf(error: unknown): { code?: string; detail: string } {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string')
    return { code: cause.code, detail: `${cause.code}: ${String(cause.message)}` };
  return { detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

function locationOf(header: string | null, base: string): string | undefined {
  if (header === null) return undefined;
  try {
    const url = new URL(header, base);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'an unreadable location';
  }
}

/**
 * One request of the check, with the client's token: redirects are not followed (the token
 * goes to the configured URL only), the answer is read up to 64 KiB, and nothing throws.
 */
export async function exchange(
  settings: ExchangeSettings,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Exchange> {
  try {
    const response = await fetch(new URL(path, settings.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${settings.token}`,
        accept: 'application/json',
        'user-agent': settings.userAgent,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
      signal: settings.signal,
      dispatcher: settings.dispatcher,
    });
    let json: unknown;
    try {
      json = JSON.parse(await readCappedText(response, MAX_ANSWER_BYTES));
    } catch {
      // Not JSON (a web page, a proxy's error), too large, or cut off: the status still tells.
      json = undefined;
    }
    return {
      kind: 'answer',
      status: response.status,
      json,
      location: locationOf(response.headers.get('location'), settings.baseUrl),
    };
  } catch (error) {
    return { kind: 'failed', ...failureOf(error), timedOut: settings.signal.aborted };
  }
}
