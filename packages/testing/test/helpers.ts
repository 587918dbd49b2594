import { request } from 'node:http';
import { afterEach } from 'vitest';
import { type FakeAuthentik, type FakeAuthentikOptions, startFakeAuthentik } from '../src/index.js';

export const EVENTS = '/api/v3/events/events/';

const started: FakeAuthentik[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

/** Starts a quiet fake that is closed after the current test. */
export async function start(options: FakeAuthentikOptions = {}): Promise<FakeAuthentik> {
  const fake = await startFakeAuthentik({ quiet: true, ...options });
  started.push(fake);
  return fake;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** POSTs a JSON body (a string is sent as is) with the fake's token unless told otherwise. */
export async function postEvent(
  fake: FakeAuthentik,
  body: unknown,
  headers: Record<string, string> = {},
  path = EVENTS,
): Promise<Answer> {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${fake.token}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return answer(res);
}

export async function get(
  fake: FakeAuthentik,
  path: string,
  token: string | null = fake.token,
): Promise<Answer> {
  const headers: Record<string, string> =
    token === null ? {} : { Authorization: `Bearer ${token}` };
  return answer(await fetch(`${fake.url}${path}`, { headers }));
}

/** A raw request through node:http, for headers fetch would add or change on its own. */
export function rawRequest(
  fake: FakeAuthentik,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${fake.url}${options.path ?? EVENTS}`,
      { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A minimal valid event. */
export const valid = (extra: Record<string, unknown> = {}) => ({
  action: 'login',
  app: 'test-app',
  ...extra,
});
