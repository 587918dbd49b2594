import { describe, expect, it } from 'vitest';
import type { FakeAuthentik } from '../src/index.js';
import { EVENTS, get, postEvent, start, valid } from './helpers.js';

interface Page {
  pagination: Record<string, number>;
  results: { app: string; action: string }[];
  autocomplete: unknown;
}

async function seed(fake: FakeAuthentik, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await postEvent(fake, valid({ app: `app-${i}` }));
}

async function list(fake: FakeAuthentik, query: string): Promise<Page> {
  const res = await get(fake, `${EVENTS}${query}`);
  expect(res.status).toBe(200);
  return res.json as Page;
}

describe('GET events', () => {
  it("lists newest first with authentik's pagination and autocomplete", async () => {
    const fake = await start();
    await seed(fake, 3);
    const page = await list(fake, '');
    expect(page.results.map((e) => e.app)).toEqual(['app-2', 'app-1', 'app-0']);
    expect(page.pagination).toEqual({
      next: 0,
      previous: 0,
      count: 3,
      current: 1,
      total_pages: 1,
      start_index: 1,
      end_index: 3,
    });
    expect(page.autocomplete).toEqual({});
  });

  it('pages with page and page_size', async () => {
    const fake = await start();
    await seed(fake, 5);
    const second = await list(fake, '?page=2&page_size=2');
    expect(second.results.map((e) => e.app)).toEqual(['app-2', 'app-1']);
    expect(second.pagination).toEqual({
      next: 3,
      previous: 1,
      count: 5,
      current: 2,
      total_pages: 3,
      start_index: 3,
      end_index: 4,
    });
    const last = await list(fake, '?page=last&page_size=2');
    expect(last.pagination).toMatchObject({ current: 3, next: 0, start_index: 5, end_index: 5 });
  });

  it('caps page_size at 100 and ignores an invalid one', async () => {
    const fake = await start();
    await seed(fake, 101);
    expect((await list(fake, '?page_size=500')).results).toHaveLength(100);
    expect((await list(fake, '?page_size=abc')).results).toHaveLength(100);
  });

  it('has one empty page when there is nothing', async () => {
    const fake = await start();
    expect((await list(fake, '')).pagination).toEqual({
      next: 0,
      previous: 0,
      count: 0,
      current: 1,
      total_pages: 1,
      start_index: 0,
      end_index: 0,
    });
  });

  it('404 "Invalid page." for a page out of range', async () => {
    const fake = await start();
    for (const page of ['2', '0', 'x']) {
      const res = await get(fake, `${EVENTS}?page=${page}`);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ detail: 'Invalid page.' });
    }
  });

  it('filters: action (substring), actions (exact, repeatable), client_ip', async () => {
    const fake = await start();
    await postEvent(fake, valid({ action: 'login', client_ip: '10.0.0.1' }));
    await postEvent(fake, valid({ action: 'login_failed', client_ip: '10.0.0.2' }));
    await postEvent(fake, valid({ action: 'logout' }));
    const actions = async (q: string) => (await list(fake, q)).results.map((e) => e.action);
    expect(await actions('?action=login')).toEqual(['login_failed', 'login']);
    expect(await actions('?actions=login&actions=logout')).toEqual(['logout', 'login']);
    expect(await actions('?client_ip=10.0.0.2')).toEqual(['login_failed']);
  });

  it('400 for an unknown value in actions', async () => {
    const fake = await start();
    const res = await get(fake, `${EVENTS}?actions=nope`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      actions: ['Select a valid choice. nope is not one of the available choices.'],
    });
  });

  it('filters: username (user.username or context.username), brand_name', async () => {
    const fake = await start();
    await postEvent(fake, valid({ app: 'u', user: { pk: 1, username: 'jane' } }));
    await postEvent(fake, valid({ app: 'c', context: { username: 'jane' } }));
    await postEvent(
      fake,
      valid({ app: 'b', brand: { name: 'Brand x' }, user: { username: 'joe' } }),
    );
    const apps = async (q: string) => (await list(fake, q)).results.map((e) => e.app);
    expect(await apps('?username=jane')).toEqual(['c', 'u']);
    expect(await apps('?brand_name=Brand%20x')).toEqual(['b']);
    expect(await apps('?brand_name=Brand%20fallback')).toEqual(['c', 'u']);
  });

  it('filters: context_model_* and context_authorized_app', async () => {
    const fake = await start();
    const model = {
      pk: 'abcdef0123456789abcdef0123456789',
      app: 'authentik_core',
      model_name: 'user',
    };
    await postEvent(
      fake,
      valid({ app: 'm', context: { model, authorized_application: { pk: 'x1' } } }),
    );
    await postEvent(fake, valid({ app: 'n', context: { model: { pk: 7 } } }));
    const apps = async (q: string) => (await list(fake, q)).results.map((e) => e.app);
    expect(await apps('?context_model_pk=abcdef01-2345-6789-abcd-ef0123456789')).toEqual(['m']);
    expect(await apps('?context_model_pk=7')).toEqual(['n']);
    expect(await apps('?context_model_name=user&context_model_app=authentik_core')).toEqual(['m']);
    expect(await apps('?context_authorized_app=x1')).toEqual(['m']);
  });

  it('orders by ordering=created (oldest first) and by app', async () => {
    const fake = await start();
    await postEvent(fake, valid({ app: 'b' }));
    await postEvent(fake, valid({ app: 'a' }));
    await postEvent(fake, valid({ app: 'c' }));
    const apps = async (q: string) => (await list(fake, q)).results.map((e) => e.app);
    expect(await apps('?ordering=created')).toEqual(['b', 'a', 'c']);
    expect(await apps('?ordering=app')).toEqual(['a', 'b', 'c']);
    expect(await apps('?ordering=-app')).toEqual(['c', 'b', 'a']);
  });

  it('reads one event by pk', async () => {
    const fake = await start();
    const created = (await postEvent(fake, valid())).json as { pk: string };
    const res = await get(fake, `${EVENTS}${created.pk}/`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(created);
    const missing = await get(fake, `${EVENTS}00000000-0000-4000-8000-000000000000/`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ detail: 'No Event matches the given query.' });
  });
});
