import { describe, expect, it } from 'vitest';
import { EVENTS, get, postEvent, rawRequest, start, valid } from './helpers.js';

// API-FACTS.md "Responses": every auth failure is 403, never 401, with these exact bodies.
describe('authentication of event POSTs', () => {
  it('403 "not provided" without an Authorization header', async () => {
    const fake = await start();
    const res = await rawRequest(fake, {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(valid()),
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual({
      detail: 'Authentication credentials were not provided.',
    });
    expect(fake.events).toHaveLength(0);
  });

  it('403 "not provided" for a header with nothing after the scheme', async () => {
    const fake = await start();
    for (const header of ['Bearer', 'Bearer ', '']) {
      const res = await postEvent(fake, valid(), { Authorization: header });
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ detail: 'Authentication credentials were not provided.' });
    }
  });

  it('403 for another scheme, with authentik\'s own "Unsupported authentication type"', async () => {
    // authentik/api/authentication.py validate_auth() raises this for any scheme but Bearer.
    const fake = await start();
    const res = await postEvent(fake, valid(), { Authorization: `Token ${fake.token}` });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'Unsupported authentication type' });
  });

  it('accepts the scheme case-insensitively', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid(), { Authorization: `bearer ${fake.token}` });
    expect(res.status).toBe(201);
  });

  it('403 "Token invalid/expired" for an unknown token', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid(), { Authorization: 'Bearer nope' });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'Token invalid/expired' });
  });

  it('403 "Token invalid/expired" for an expired token', async () => {
    const fake = await start({ tokens: { old: 'expired' } });
    const res = await postEvent(fake, valid(), { Authorization: 'Bearer old' });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'Token invalid/expired' });
  });

  it('403 permission detail for a token without authentik_events.add_event', async () => {
    const fake = await start({ tokens: { weak: 'no_permission' } });
    const res = await postEvent(fake, valid(), { Authorization: 'Bearer weak' });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ detail: 'You do not have permission to perform this action.' });
    expect(fake.events).toHaveLength(0);
  });

  it('checks the token before the body, as DRF does', async () => {
    const fake = await start();
    const res = await postEvent(fake, 'not json', { Authorization: 'Bearer nope' });
    expect(res.status).toBe(403);
  });

  it('uses the given token, or a random one', async () => {
    const fixed = await start({ token: 'fixed-token' });
    expect(fixed.token).toBe('fixed-token');
    const random = await start();
    expect(random.token).toMatch(/^[0-9a-f]{48}$/);
    expect((await postEvent(random, valid())).status).toBe(201);
  });

  it('guards GET on the events list the same way', async () => {
    const fake = await start({ tokens: { weak: 'no_permission' } });
    expect((await get(fake, EVENTS, null)).json).toEqual({
      detail: 'Authentication credentials were not provided.',
    });
    expect((await get(fake, EVENTS, 'nope')).json).toEqual({ detail: 'Token invalid/expired' });
    const weak = await get(fake, EVENTS, 'weak');
    expect(weak.status).toBe(403);
    expect(weak.json).toEqual({ detail: 'You do not have permission to perform this action.' });
  });
});
