import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isDirectHost } from '../src/event-page/host-check.js';
import { resolvePageOptions } from '../src/event-page/page-options.js';
import { startFakeAuthentik } from '../src/index.js';
import { pageStream } from './event-stream-reader.js';
import { postEvent, rawRequest, start, valid } from './helpers.js';

const ASSETS = [
  ['/', 'text/html; charset=utf-8'],
  ['/_fake/event-page.js', 'text/javascript; charset=utf-8'],
  ['/_fake/event-rows.js', 'text/javascript; charset=utf-8'],
  ['/_fake/event-page.css', 'text/css; charset=utf-8'],
  ['/_fake/icon.svg', 'image/svg+xml'],
] as const;

describe('the event page: files and headers', () => {
  it.each(ASSETS)(
    'serves %s as %s with a strict policy, nothing cached, no token in it',
    async (path, type) => {
      const fake = await start();
      const answer = await fetch(`${fake.url}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(type);
      expect(answer.headers.get('content-security-policy')).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const body = await answer.text();
      expect(body.length).toBeGreaterThan(100);
      expect(body).not.toContain(fake.token);
    },
  );

  it('the page has no inline script or style for the policy to refuse, and the script writes no HTML', async () => {
    const fake = await start();
    const html = await (await fetch(`${fake.url}/`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<script type="module" src="/_fake/event-page.js"></script>');
    for (const file of ['event-page.js', 'event-rows.js']) {
      const script = await (await fetch(`${fake.url}/_fake/${file}`)).text();
      expect(script).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
      );
    }
  });

  it('HEAD answers the headers only', async () => {
    const fake = await start();
    const answer = await rawRequest(fake, { method: 'HEAD', path: '/' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(100);
  });

  it('a POST to / is still the API 404, and other methods on the page are not the page', async () => {
    const fake = await start();
    const posted = await postEvent(fake, valid(), {}, '/');
    expect(posted.status).toBe(404);
    expect(posted.text).toContain('<h1>Not Found</h1>');
    expect(fake.events).toEqual([]);
  });

  it('is not in `requests` and no fault touches it: the API hangs, the page answers', async () => {
    const fake = await start();
    fake.faults.hostile('hang');
    fake.faults.latency(10_000);
    for (const [path] of ASSETS) expect((await fetch(`${fake.url}${path}`)).status).toBe(200);
    const live = await pageStream(fake);
    expect(live.status).toBe(200);
    expect(fake.requestCount).toBe(0);
    expect(fake.requests).toEqual([]);
  });
});

describe('the event page: who may see it', () => {
  it.each([
    'evil.example',
    'evil.example:9000',
    'attacker.localhost.evil.example',
    '127.0.0.1.nip.io',
  ])(
    'refuses Host %j (DNS rebinding: a web page that made its own name point here)',
    async (host) => {
      const fake = await start();
      for (const path of ['/', '/_fake/event-page.js', '/_fake/stream']) {
        const answer = await rawRequest(fake, { method: 'GET', path, headers: { host } });
        expect(answer.status).toBe(403);
        expect(answer.text).toBe('the event page answers only under an IP address or localhost\n');
      }
    },
  );

  it('refuses a request without a Host header (HTTP/1.0)', async () => {
    const fake = await start();
    const { port } = new URL(fake.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('GET / HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
  });

  it.each(['127.0.0.1', 'localhost', '[::1]', '192.168.1.20'])(
    'answers under Host %s with the port',
    async (name) => {
      const fake = await start();
      const port = new URL(fake.url).port;
      const answer = await rawRequest(fake, {
        method: 'GET',
        path: '/',
        headers: { host: `${name}:${port}` },
      });
      expect(answer.status).toBe(200);
    },
  );

  it('isDirectHost: IP literals and localhost only', () => {
    expect(isDirectHost('10.0.0.5')).toBe(true);
    expect(isDirectHost('[fe80::1]:80')).toBe(true);
    expect(isDirectHost('LOCALHOST:9000')).toBe(true);
    expect(isDirectHost(undefined)).toBe(false);
    expect(isDirectHost('a b')).toBe(false);
    expect(isDirectHost('localhost.evil.example')).toBe(false);
    expect(isDirectHost('127.1')).toBe(true); // the URL parser reads it as 127.0.0.1, an address
  });

  it('is on by default on a loopback address only, and `page` decides otherwise', () => {
    for (const host of ['127.0.0.1', '127.5.5.5', '::1', 'localhost'])
      expect(resolvePageOptions(host, undefined, undefined, 16)).toEqual({
        enabled: true,
        maxClients: 16,
      });
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com'])
      expect(resolvePageOptions(host, undefined, undefined, 16).enabled).toBe(false);
    expect(resolvePageOptions('0.0.0.0', true, 3, 16)).toEqual({ enabled: true, maxClients: 3 });
    expect(resolvePageOptions('127.0.0.1', false, undefined, 16).enabled).toBe(false);
  });

  it.each([
    [{ page: 'yes' }, 'option "page" must be true or false, got string'],
    [{ maxPageClients: 0 }, 'option "maxPageClients" must be a whole number from 1 to 1000, got 0'],
    [{ maxPageClients: 1.5 }, 'got 1.5'],
    [{ maxPageClients: Number.POSITIVE_INFINITY }, 'got Infinity'],
  ])('refuses %j with an error that names the option', async (options, message) => {
    await expect(startFakeAuthentik({ quiet: true, ...(options as object) })).rejects.toThrow(
      message,
    );
  });

  it('page: false serves no page: / and the stream are the API 404', async () => {
    const fake = await start({ page: false });
    expect(fake.pageUrl).toBeUndefined();
    for (const path of ['/', '/_fake/stream', '/_fake/event-page.js']) {
      const answer = await fetch(`${fake.url}${path}`);
      expect(answer.status).toBe(404);
      expect(await answer.text()).toContain('<h1>Not Found</h1>');
    }
  });
});
