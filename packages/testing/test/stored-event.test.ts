import { describe, expect, it } from 'vitest';
import { postEvent, start, valid } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DRF_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/;

describe('the stored event', () => {
  it("has authentik's fields in the serializer's order, with its defaults", async () => {
    const fake = await start();
    const before = Date.now();
    const res = await postEvent(fake, valid());
    const event = res.json as Record<string, unknown>;
    expect(Object.keys(event)).toEqual([
      'pk',
      'user',
      'action',
      'app',
      'context',
      'client_ip',
      'created',
      'expires',
      'brand',
    ]);
    expect(event.pk).toMatch(UUID);
    expect(event.user).toEqual({});
    expect(event.context).toEqual({});
    expect(event.client_ip).toBeNull();
    expect(event.created).toMatch(DRF_DATETIME);
    expect(event.expires).toMatch(DRF_DATETIME);
    const created = Date.parse(event.created as string);
    expect(created).toBeGreaterThanOrEqual(before - 1);
    const days = (Date.parse(event.expires as string) - created) / 86_400_000;
    expect(Math.round(days)).toBe(365);
  });

  it('gets the fallback brand, not the brand of the request', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid(), { Host: 'login.example.com' });
    expect((res.json as { brand: unknown }).brand).toEqual({
      pk: expect.stringMatching(/^[0-9a-f]{32}$/),
      app: 'authentik_brands',
      model_name: 'brand',
      name: 'Brand fallback',
    });
  });

  it('ignores pk, created and unknown keys', async () => {
    const fake = await start();
    const res = await postEvent(
      fake,
      valid({
        pk: '00000000-0000-4000-8000-000000000000',
        created: '2000-01-01T00:00:00Z',
        extra: 1,
      }),
    );
    const event = res.json as Record<string, unknown>;
    expect(event.pk).not.toBe('00000000-0000-4000-8000-000000000000');
    expect(event.created).not.toBe('2000-01-01T00:00:00Z');
    expect(event).not.toHaveProperty('extra');
  });

  it('gives every event its own pk, so a retried duplicate is a second event', async () => {
    const fake = await start();
    await postEvent(fake, valid());
    await postEvent(fake, valid());
    expect(fake.events).toHaveLength(2);
    expect(fake.events[0]?.pk).not.toBe(fake.events[1]?.pk);
  });

  it('keeps events oldest first in a live array', async () => {
    const fake = await start();
    const events = fake.events;
    await postEvent(fake, valid({ app: 'first' }));
    await postEvent(fake, valid({ app: 'second' }));
    expect(events.map((e) => e.app)).toEqual(['first', 'second']);
  });
});
