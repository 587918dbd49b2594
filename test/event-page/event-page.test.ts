import { pathToFileURL } from 'node:url';
import type { DeliveryReport } from '@authentik-events/core';
import {
  type FakeAuthentik,
  type StoredEvent,
  startFakeAuthentik,
} from '@authentik-events/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';

interface ExampleApp {
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<DeliveryReport>;
}
const { createApp } = (await import(
  pathToFileURL(new URL('../../examples/express/app.mjs', import.meta.url).pathname).href
)) as { createApp(options: Record<string, unknown>): ExampleApp };
const { runSession } = (await import(
  pathToFileURL(new URL('../../scripts/lib/demo-session.mjs', import.meta.url).pathname).href
)) as { runSession(baseUrl: string, onStep: () => void): Promise<void> };

/**
 * `expect.poll` with room for a loaded machine (its default gives up after one second): the
 * browser, the app and the fake share two CPUs with other test files.
 */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });

let browser: Browser;
let context: BrowserContext | undefined;
let fake: FakeAuthentik | undefined;
let app: ExampleApp | undefined;
/** What the page must never do: run a script of an event, or open a dialog. */
let pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await context?.close();
  await app?.close();
  await fake?.close();
  context = fake = app = undefined;
});

/** A fresh fake and the page open on it, live. */
async function openPage(): Promise<Page> {
  fake = await startFakeAuthentik({ quiet: true });
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    pageErrors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(fake.pageUrl as string);
  await eventually(() => page.getAttribute('#live', 'data-state')).toBe('live');
  // Set once: still there at the end means the page was never reloaded.
  await page.evaluate(() => {
    (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
  });
  return page;
}

/** The visible rows' cells, newest first: [action, user, app, client IP, brand]. */
function visibleRows(page: Page): Promise<string[][]> {
  return page.$$eval('tbody.event:not([hidden]) tr.summary', (rows) =>
    rows.map((row) =>
      [...row.querySelectorAll('td')]
        .slice(1, 6)
        .map((cell) => cell.querySelector('.main')?.textContent ?? ''),
    ),
  );
}

const displayAction = (event: StoredEvent) =>
  event.action === 'custom_' ? `custom_${String(event.context.custom_action)}` : event.action;

async function post(body: Record<string, unknown>): Promise<void> {
  const target = fake as FakeAuthentik;
  const answer = await fetch(`${target.url}/api/v3/events/events/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(201);
}

describe('the event page in Chromium', () => {
  it('shows the events an app sends as they arrive, newest first, without a reload', async () => {
    const page = await openPage();
    await eventually(() => page.textContent('#empty')).toContain('No events yet');
    const target = fake as FakeAuthentik;
    app = createApp({
      url: target.url,
      token: target.token,
      app: 'shop',
      concurrency: 1,
      flushIntervalMs: 20,
    });
    const base = await app.listen();

    await runSession(base, () => {});
    await target.waitForEvents(10);
    await eventually(async () => (await visibleRows(page)).length).toBe(10);
    const expected = [...target.events]
      .reverse()
      .map((event) => [
        displayAction(event),
        (event.user.username as string | undefined) ?? '-',
        'shop',
        '127.0.0.1',
        'Default brand',
      ]);
    expect(await visibleRows(page)).toEqual(expected);
    expect(await page.textContent('#count')).toBe('10 of 10 events');
    expect(await page.isHidden('#empty')).toBe(true);

    // One more request: its event lands on top, live. (The newest row already looks like it:
    // the session ended with a refused request too, so the count tells them apart.)
    const answer = await fetch(`${base}/account`);
    expect(answer.status).toBe(401);
    await answer.text();
    await eventually(() => page.textContent('#count')).toBe('11 of 11 events');
    const newest = target.events.at(-1) as StoredEvent;
    expect(newest.context.http_request).toMatchObject({ path: '/account' });
    expect((await visibleRows(page))[0]).toEqual([
      'custom_http_request',
      '-',
      'shop',
      '127.0.0.1',
      'Default brand',
    ]);
    await page.locator('tbody.event').first().locator('tr.summary').click();
    expect(await page.locator('tbody.event').first().locator('dl').textContent()).toContain(
      newest.pk,
    );
    expect(
      await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce),
    ).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('narrows the rows by action, user and app, and says when none match', async () => {
    const page = await openPage();
    await post({
      action: 'login',
      app: 'shop',
      user: { pk: 1, username: 'alice', email: 'alice@example.com' },
    });
    await post({ action: 'login_failed', app: 'shop', context: { username: 'mallory' } });
    await post({
      action: 'login',
      app: 'billing',
      user: { pk: 2, username: 'bob', email: 'bob@example.com' },
    });
    await post({
      action: 'custom_',
      app: 'billing',
      context: { custom_action: 'invoice_paid' },
      user: { username: 'alice' },
    });
    await eventually(async () => (await visibleRows(page)).length).toBe(4);
    const actions = await page.$$eval('#filter-action option', (options) =>
      options.map((option) => option.textContent),
    );
    expect(actions).toEqual(['All actions', 'custom_invoice_paid', 'login', 'login_failed']);

    await page.selectOption('#filter-action', 'login');
    expect((await visibleRows(page)).map((row) => [row[0], row[1], row[2]])).toEqual([
      ['login', 'bob', 'billing'],
      ['login', 'alice', 'shop'],
    ]);
    expect(await page.textContent('#count')).toBe('2 of 4 events');

    await page.fill('#filter-user', 'ALICE');
    expect((await visibleRows(page)).map((row) => row[1])).toEqual(['alice']);
    await page.selectOption('#filter-action', '');
    expect((await visibleRows(page)).map((row) => row[0])).toEqual([
      'custom_invoice_paid',
      'login',
    ]);
    await page.fill('#filter-app', 'bill');
    expect((await visibleRows(page)).map((row) => row[0])).toEqual(['custom_invoice_paid']);
    await page.fill('#filter-user', 'bob@example');
    expect((await visibleRows(page)).map((row) => row[0])).toEqual(['login']);
    await page.fill('#filter-app', 'nothing-like-it');
    expect(await visibleRows(page)).toEqual([]);
    expect(await page.isVisible('#no-match')).toBe(true);

    // A new event that does not match stays hidden; one that matches shows.
    await page.fill('#filter-app', '');
    await page.fill('#filter-user', '');
    await page.selectOption('#filter-action', 'login_failed');
    await post({ action: 'login', app: 'shop' });
    await post({ action: 'login_failed', app: 'shop', context: { username: 'eve' } });
    await eventually(() => page.textContent('#count')).toBe('2 of 6 events');
    expect((await visibleRows(page)).map((row) => row[0])).toEqual([
      'login_failed',
      'login_failed',
    ]);
  });

  it('opens a row on click to show its context as formatted JSON, and closes it again', async () => {
    const page = await openPage();
    const context = {
      username: 'alice',
      attempt: 3,
      http_request: { path: '/login', method: 'POST' },
    };
    await post({ action: 'login_failed', app: 'shop', context });
    await post({ action: 'login', app: 'shop', context: { username: 'alice' } });
    await eventually(async () => (await visibleRows(page)).length).toBe(2);
    const failed = page.locator('tbody.event').nth(1);
    expect(await failed.locator('tr.detail').isHidden()).toBe(true);

    await failed.locator('tr.summary').click();
    expect(await failed.locator('tr.detail').isVisible()).toBe(true);
    expect(await failed.locator('button.toggle').getAttribute('aria-expanded')).toBe('true');
    const stored = (fake as FakeAuthentik).events[0] as StoredEvent;
    expect(await failed.locator('pre.json').first().textContent()).toBe(
      JSON.stringify(stored.context, null, 2),
    );
    expect(await failed.locator('dl').textContent()).toContain(stored.pk);
    // The other row stays closed.
    expect(await page.locator('tbody.event').nth(0).locator('tr.detail').isHidden()).toBe(true);

    await failed.locator('button.toggle').press('Enter');
    expect(await failed.locator('tr.detail').isHidden()).toBe(true);
  });

  it('shows hostile event data as text: no script runs, no element is made from it', async () => {
    const page = await openPage();
    const script = '<script>window.pwned = "script"</script>';
    const image = '<img src=x onerror="window.pwned = \'img\'; alert(1)">';
    const svg = '<svg onload="window.pwned = \'svg\'">';
    await post({
      action: 'custom_',
      app: image,
      client_ip: '203.0.113.7',
      user: { pk: 1, username: script, email: svg },
      brand: { name: image },
      context: { custom_action: image, [script]: svg, nested: { html: `</pre>${image}` } },
    });
    await post({ action: 'login_failed', app: script, context: { username: image } });
    await eventually(async () => (await visibleRows(page)).length).toBe(2);
    const [failed, custom] = await visibleRows(page);
    expect(custom).toEqual([`custom_${image}`, script, image, '203.0.113.7', image]);
    expect(failed).toEqual(['login_failed', '-', script, '-', 'Brand fallback']);
    const options = await page.$$eval('#filter-action option', (all) =>
      all.map((option) => option.textContent),
    );
    expect(options).toContain(`custom_${image}`);

    await page.locator('tbody.event').nth(1).locator('tr.summary').click();
    const shown = await page
      .locator('tbody.event')
      .nth(1)
      .locator('pre.json')
      .first()
      .textContent();
    expect(JSON.parse(shown as string)).toEqual((fake as FakeAuthentik).events[0]?.context);
    await page.selectOption('#filter-action', `custom_${image}`);
    await page.fill('#filter-user', script);
    expect(await visibleRows(page)).toHaveLength(1);

    // Give any injected handler its chance to run, then look for what it would have left.
    await page.waitForTimeout(300);
    expect(
      await page.evaluate(() => (globalThis as unknown as { pwned?: string }).pwned),
    ).toBeUndefined();
    expect(await page.locator('main img, main script, main svg, main iframe').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('empties with clear() and reconnects by itself after the fake was down', async () => {
    const page = await openPage();
    const target = fake as FakeAuthentik;
    await post({ action: 'login', app: 'shop' });
    await eventually(async () => (await visibleRows(page)).length).toBe(1);
    target.clear();
    await eventually(async () => (await visibleRows(page)).length).toBe(0);
    expect(await page.isVisible('#empty')).toBe(true);

    await target.faults.down();
    await eventually(() => page.getAttribute('#live', 'data-state')).toBe('reconnecting');
    await target.faults.up();
    await post({ action: 'logout', app: 'shop' });
    await eventually(() => page.getAttribute('#live', 'data-state')).toBe('live');
    await eventually(async () => (await visibleRows(page)).map((row) => row[0])).toEqual([
      'logout',
    ]);
    expect(
      await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce),
    ).toBe(true);
  });
});
