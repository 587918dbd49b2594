import { Agent, fetch } from 'undici';
import { DeliveryError } from './errors.js';
import { contextTrusting } from './transport/trusted-certificates.js';

/** Reads from authentik's API with the client's URL and token (brand and user lookups). */
export interface AuthentikReader {
  get<T>(path: string, query?: Record<string, string>): Promise<T>;
}

export function createApiReader(
  baseUrl: URL,
  token: string,
  timeoutMs: number,
  userAgent: string,
  ca?: readonly string[],
): AuthentikReader {
  const base = baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`;
  // The `ca` option trusts authentik's certificate here as for delivery.
  const dispatcher = ca
    ? new Agent({ connect: { secureContext: contextTrusting(ca) } })
    : undefined;
  return {
    async get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
      const url = new URL(path.replace(/^\//, ''), base);
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
      // Redirects are refused so the token is never sent to another host.
      const response = await fetch(url, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'user-agent': userAgent,
        },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
        dispatcher,
      });
      if (!response.ok) {
        const reason =
          response.status === 403 || response.status === 401 ? 'unauthorized' : 'rejected';
        await response.body?.cancel();
        throw new DeliveryError(reason, `GET ${url.pathname} answered ${response.status}`, {
          status: response.status,
        });
      }
      return (await response.json()) as T;
    },
  };
}
