/**
 * What every harness app does, whatever the framework. The routes mirror a small real app:
 * a login form, a passport-style session user, failures of every kind, a health check.
 */
export const LOGIN_PASSWORD = 'correct horse battery staple';
export const SYNC_ERROR_MESSAGE = 'kaboom';
export const ASYNC_ERROR_MESSAGE = 'async kaboom';
/** Longest a `/slow` request waits before answering anyway (a safety net, never reached in tests). */
export const SLOW_SAFETY_MS = 10_000;

export interface LoginBody {
  username?: string;
  password?: string;
}

export interface LoginOutcome {
  status: 200 | 401;
  action: 'login' | 'login_failed';
  options: { user?: { username: string }; context: Record<string, unknown> };
}

/**
 * What `POST /login` records, shaped like authentik's own events: `login` with the user and
 * `auth_method`, or `login_failed` with the name that was tried in the context.
 */
export function loginOutcome(body: LoginBody | undefined): LoginOutcome {
  const username = typeof body?.username === 'string' ? body.username : '';
  if (username !== '' && body?.password === LOGIN_PASSWORD) {
    return {
      status: 200,
      action: 'login',
      options: { user: { username }, context: { auth_method: 'password' } },
    };
  }
  return { status: 401, action: 'login_failed', options: { context: { username } } };
}

/** A one-shot signal the slow route fires, re-armed for each wait. */
export class Signal {
  private waiters: Array<() => void> = [];

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  fire(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

/** Resolves when the response is closed (the client went away) or after the safety net. */
export function untilClosed(response: {
  once(event: 'close', listener: () => void): unknown;
}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, SLOW_SAFETY_MS);
    response.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Reads a JSON request body (Koa has no body parser of its own; Express and Fastify do). */
export async function readJsonBody(stream: AsyncIterable<Buffer>): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}
