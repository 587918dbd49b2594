import { request } from 'node:http';

export const USER_AGENT = 'adapter-scenarios/1.0';

export interface SendOptions {
  method?: string;
  /** Path and query. */
  path: string;
  /** Raw headers, including ones fetch refuses to set (Host). */
  headers?: Record<string, string>;
  json?: unknown;
}

export interface Answer {
  status: number;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One request on its own connection through node:http, so Host and forwarded headers go as written. */
export function send(baseUrl: string, options: SendOptions): Promise<Answer> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${options.path}`,
      { method: options.method ?? 'GET', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends a request and destroys the socket once the handler has it (`started` resolves) and
 * `holdMs` more have passed, the way a browser tab closed mid-request does. Resolves when the
 * client side is gone.
 */
export function abortMidRequest(
  baseUrl: string,
  path: string,
  started: Promise<void>,
  holdMs = 0,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      { headers: { 'user-agent': USER_AGENT }, agent: false },
      () => {
        reject(new Error(`${path} answered before the client went away`));
      },
    );
    // The error ("socket hang up") is what destroying our own request produces.
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.end();
    started.then(() => setTimeout(() => req.destroy(), holdMs), reject);
  });
}
