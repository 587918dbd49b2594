import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { afterEach } from 'vitest';
import type { FakeAuthentik } from '../src/index.js';

/** One server-sent event: its `event:` name (`message` by default) and its data. */
export interface Frame {
  event: string;
  data: string;
}

export interface StreamReader {
  status: number;
  headers: IncomingMessage['headers'];
  /** Everything received, as text (comments included). */
  readonly raw: string;
  readonly frames: Frame[];
  /** Resolves with the first frame from index `from` on that `matches`; rejects after timeoutMs. */
  next(matches: (frame: Frame) => boolean, from?: number, timeoutMs?: number): Promise<Frame>;
  /** Resolves when the server ends or drops the stream. */
  readonly ended: Promise<void>;
  response: IncomingMessage;
  close(): void;
}

function parseFrame(block: string): Frame | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : undefined;
}

/** Opens `url` as an event stream with node:http (so that any Host header can be sent). */
export function openStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<StreamReader> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined;
    req = request(
      url,
      { headers: { accept: 'text/event-stream', ...headers }, agent: false },
      (res) => {
        let raw = '';
        let pending = '';
        const frames: Frame[] = [];
        const waiters = new Set<() => void>();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          raw += chunk;
          pending += chunk;
          let end = pending.indexOf('\n\n');
          while (end !== -1) {
            const frame = parseFrame(pending.slice(0, end));
            if (frame) frames.push(frame);
            pending = pending.slice(end + 2);
            end = pending.indexOf('\n\n');
          }
          for (const wake of waiters) wake();
        });
        const ended = new Promise<void>((done) => {
          res.once('close', () => done());
          res.once('error', () => done());
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          response: res,
          get raw() {
            return raw;
          },
          frames,
          ended,
          next(matches, from = 0, timeoutMs = 5000) {
            return new Promise((found, fail) => {
              const check = () => {
                const frame = frames.slice(from).find(matches);
                if (!frame) return false;
                waiters.delete(check);
                clearTimeout(timer);
                found(frame);
                return true;
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                fail(
                  new Error(
                    `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`,
                  ),
                );
              }, timeoutMs);
              if (!check()) waiters.add(check);
            });
          },
          close() {
            req?.destroy();
            res.destroy();
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const opened: StreamReader[] = [];

afterEach(() => {
  for (const stream of opened.splice(0)) stream.close();
});

/** Opens `url` as an event stream that is closed after the current test. */
export async function openClosedAfterTest(
  url: string,
  headers: Record<string, string> = {},
): Promise<StreamReader> {
  const stream = await openStream(url, headers);
  opened.push(stream);
  return stream;
}

/** Opens the fake's event page feed, closed after the current test. */
export function pageStream(
  fake: FakeAuthentik,
  headers: Record<string, string> = {},
): Promise<StreamReader> {
  return openClosedAfterTest(`${fake.url}/_fake/stream`, headers);
}

export const isReady = (frame: Frame): boolean => frame.event === 'ready';
