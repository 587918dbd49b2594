import { describe, expect, it } from 'vitest';
import { get, start } from './helpers.js';

const BRANDS = '/api/v3/core/brands/';
const USERS = '/api/v3/core/users/';

describe('GET brands', () => {
  it("lists a default brand with authentik's Brand serializer fields", async () => {
    const fake = await start();
    const res = await get(fake, BRANDS);
    expect(res.status).toBe(200);
    const body = res.json as { pagination: { count: number }; results: Record<string, unknown>[] };
    expect(body.pagination.count).toBe(1);
    expect(body.results[0]).toMatchObject({
      brand_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      domain: 'authentik-default',
      default: true,
      branding_title: 'authentik',
      attributes: {},
    });
  });

  it('lists the configured brands and filters by domain', async () => {
    const fake = await start({
      brands: [
        {
          domain: 'example.com',
          default: true,
          brand_uuid: '11111111-1111-4111-8111-111111111111',
        },
        { domain: 'shop.example.com', branding_title: 'Shop' },
      ],
    });
    const all = (await get(fake, BRANDS)).json as { results: Record<string, unknown>[] };
    expect(all.results.map((b) => b.domain)).toEqual(['example.com', 'shop.example.com']);
    expect(all.results[0]?.brand_uuid).toBe('11111111-1111-4111-8111-111111111111');
    expect(all.results[1]).toMatchObject({ default: false, branding_title: 'Shop' });
    const one = (await get(fake, `${BRANDS}?domain=shop.example.com`)).json as {
      results: unknown[];
    };
    expect(one.results).toHaveLength(1);
  });

  it('needs a valid token with permission', async () => {
    const fake = await start({ tokens: { weak: 'no_permission', old: 'expired' } });
    expect((await get(fake, BRANDS, null)).status).toBe(403);
    expect((await get(fake, BRANDS, 'old')).json).toEqual({ detail: 'Token invalid/expired' });
    expect((await get(fake, BRANDS, 'weak')).json).toEqual({
      detail: 'You do not have permission to perform this action.',
    });
  });
});

describe('GET users', () => {
  it('finds a user by exact username', async () => {
    const fake = await start({
      users: [{ username: 'jane', email: 'jane@example.com', pk: 42 }, { username: 'janet' }],
    });
    const res = await get(fake, `${USERS}?username=jane`);
    expect(res.status).toBe(200);
    const body = res.json as { pagination: { count: number }; results: Record<string, unknown>[] };
    expect(body.pagination.count).toBe(1);
    expect(body.results[0]).toMatchObject({
      pk: 42,
      username: 'jane',
      email: 'jane@example.com',
      name: 'jane',
      is_active: true,
    });
  });

  it('answers an empty page for an unknown username, and numbers pks by default', async () => {
    const fake = await start({ users: [{ username: 'a' }, { username: 'b' }] });
    const none = (await get(fake, `${USERS}?username=zed`)).json as { results: unknown[] };
    expect(none.results).toEqual([]);
    const all = (await get(fake, USERS)).json as { results: { pk: number }[] };
    expect(all.results.map((u) => u.pk)).toEqual([1, 2]);
  });

  it('has akadmin by default and needs permission', async () => {
    const fake = await start({ tokens: { weak: 'no_permission' } });
    const all = (await get(fake, USERS)).json as { results: { username: string }[] };
    expect(all.results.map((u) => u.username)).toEqual(['akadmin']);
    expect((await get(fake, USERS, 'weak')).status).toBe(403);
  });
});
