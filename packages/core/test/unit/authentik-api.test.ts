import { describe, expect, it } from 'vitest';
import { createAuthentikApi } from '../../src/authentik-api.js';

describe('token leak: a lookup error never quotes the token', () => {
  it('even when fetch refuses the token and quotes the header in its own message', async () => {
    // A NUL cannot be in a header: fetch throws quoting the whole header value, token and all.
    const token = 'secret\u0000token-0123456789abcdef';
    const api = createAuthentikApi(new URL('http://127.0.0.1:1/'), token, 1000, 'test');
    const error = (await api.get('api/v3/core/users/').catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^GET \/api\/v3\/core\/users\/ failed/);
    expect(`${error.message} ${error.stack} ${String(error.cause)}`).not.toContain(token);
  });

  it('after close(), reads are refused without a request', async () => {
    const api = createAuthentikApi(new URL('http://127.0.0.1:1/'), 't', 1000, 'test');
    api.close();
    await expect(api.get('api/v3/core/users/')).rejects.toMatchObject({ reason: 'closed' });
  });
});
