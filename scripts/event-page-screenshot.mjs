#!/usr/bin/env node
// `npm run screenshot`: takes docs/event-page.png, the README's picture of the fake's live event
// page. Runs the Express and Fastify examples through the demo session against the fake, adds
// what a worker would emit through the core client, opens a failed login's context, and
// photographs the page in headless Chromium (Debian's, or CHROMIUM_PATH).
import { fileURLToPath } from 'node:url';
import { createEventClient } from '@authentik-events/core';
import { startFakeAuthentik } from '@authentik-events/testing';
import { chromium } from 'playwright-core';
import { runSession } from './lib/demo-session.mjs';

const OUTPUT = fileURLToPath(new URL('../docs/event-page.png', import.meta.url));
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by this script only, which turbo never runs
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function runExample(framework, fake, app) {
  const { createApp } = await import(`../examples/${framework}/app.mjs`);
  const example = await createApp({ url: fake.url, token: fake.token, app, concurrency: 1 });
  await runSession(await example.listen(0, '127.0.0.1'), () => {});
  await example.close();
}

/** What a background job would record with the core client alone. */
async function workerEvents(fake) {
  const client = createEventClient({ url: fake.url, token: fake.token, app: 'billing-worker' });
  const bob = { pk: 2, username: 'bob', email: 'bob@example.com' };
  client.emit({
    action: 'custom_invoice_paid',
    user: bob,
    clientIp: '198.51.100.24',
    context: { invoice: 'INV-2026-0142', amount_cents: 129900, currency: 'EUR' },
  });
  client.emit({
    action: 'model_updated',
    user: bob,
    clientIp: '198.51.100.24',
    context: { model: { app: 'billing', model_name: 'subscription', pk: 77, name: 'Team plan' } },
  });
  await client.close();
}

const fake = await startFakeAuthentik({ quiet: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 980 } });
  await page.goto(fake.pageUrl);
  await page.waitForSelector('#live[data-state="live"]');
  await runExample('express', fake, 'shop');
  await runExample('fastify', fake, 'support-desk');
  await workerEvents(fake);
  await page.waitForFunction(
    (count) => document.querySelectorAll('tbody.event').length === count,
    fake.events.length,
  );
  // The arrival highlight fades in 2.5 s: wait it out for a calm picture.
  await page.waitForTimeout(2600);
  await page
    .locator('tbody.event', { hasText: 'login_failed' })
    .first()
    .locator('tr.summary')
    .click();
  await page.screenshot({ path: OUTPUT });
  console.log(`wrote ${OUTPUT} (${fake.events.length} events)`);
} finally {
  await browser.close();
  await fake.close();
}
