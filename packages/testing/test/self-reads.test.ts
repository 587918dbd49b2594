import { describe, expect, it } from 'vitest';
import { get, postEvent, start } from './helpers.js';

// authentik's UserViewSet.user_me and admin VersionView ask only for an authenticated user:
// a token without authentik_events.add_event still reads them (what client.check() relies on).
describe('what a token may read about itself', () => {
  it('GET /api/v3/core/users/me/ answers the first user as authentik prints it', async () => {
    const fake = await start({
      users: [{ pk: 7, username: 'svc-billing', email: 'b@example.com' }],
    });
    const res = await get(fake, '/api/v3/core/users/me/');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      user: { pk: 7, username: 'svc-billing', email: 'b@example.com', groups: [], settings: {} },
    });
  });

  it('GET /api/v3/admin/version/ answers the configured version', async () => {
    const fake = await start({ version: '2025.12.1' });
    const res = await get(fake, '/api/v3/admin/version/');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ version_current: '2025.12.1', outdated: false });
    expect((await get(await start(), '/api/v3/admin/version/')).json).toMatchObject({
      version_current: '2026.2.2',
    });
  });

  it('a token without the permission to create events reads both, and is refused a POST', async () => {
    const fake = await start({ tokens: { reader: 'no_permission' } });
    expect((await get(fake, '/api/v3/core/users/me/', 'reader')).status).toBe(200);
    expect((await get(fake, '/api/v3/admin/version/', 'reader')).status).toBe(200);
    const post = await postEvent(fake, {}, { Authorization: 'Bearer reader' });
    expect(post.status).toBe(403);
    expect(post.json).toEqual({ detail: 'You do not have permission to perform this action.' });
  });

  it('an invalid or expired token, or none, gets 403 as everywhere', async () => {
    const fake = await start({ tokens: { old: 'expired' } });
    for (const [token, detail] of [
      ['nope', 'Token invalid/expired'],
      ['old', 'Token invalid/expired'],
      [null, 'Authentication credentials were not provided.'],
    ] as const) {
      const res = await get(fake, '/api/v3/core/users/me/', token);
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ detail });
    }
  });

  it('an empty event from an allowed token is refused as invalid, and nothing is stored', async () => {
    // DRF checks the permission before it validates: the check's probe for "may create events".
    const fake = await start();
    const res = await postEvent(fake, {});
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ action: ['This field is required.'] });
    expect(fake.events).toHaveLength(0);
  });

  it('refuses other methods with 405', async () => {
    const fake = await start();
    const res = await postEvent(fake, {}, {}, '/api/v3/core/users/me/');
    expect(res.status).toBe(405);
  });
});
