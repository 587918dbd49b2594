import { describe, expect, it } from 'vitest';
import { EVENTS, postEvent, rawRequest, start, valid } from './helpers.js';

describe('event POST: path, media type and body', () => {
  it('201 with the stored event', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid());
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.json).toEqual(fake.events[0]);
  });

  it('404 with an HTML page for the path without its trailing slash', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid(), {}, '/api/v3/events/events');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('<h1>Not Found</h1>');
    expect(fake.events).toHaveLength(0);
  });

  it('404 HTML for unknown paths', async () => {
    const fake = await start();
    for (const path of ['/', '/api/v3/events/', '/api/v3/events/events/bulk/']) {
      const res = await postEvent(fake, valid(), {}, path);
      expect(res.status).toBe(404);
      expect(res.text).toMatch(/^<!doctype html>/);
    }
  });

  it("415 with DRF's text for a body that is not application/json", async () => {
    const fake = await start();
    const res = await postEvent(fake, JSON.stringify(valid()), { 'Content-Type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.json).toEqual({ detail: 'Unsupported media type "text/plain" in request.' });
  });

  it('415 names the content type as sent, parameters included', async () => {
    const fake = await start();
    const res = await postEvent(fake, 'a=b', {
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    });
    expect(res.json).toEqual({
      detail:
        'Unsupported media type "application/x-www-form-urlencoded; charset=utf-8" in request.',
    });
  });

  it('accepts application/json with a charset', async () => {
    const fake = await start();
    const res = await postEvent(fake, valid(), {
      'Content-Type': 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(201);
  });

  it('400 "JSON parse error - …" for invalid JSON', async () => {
    const fake = await start();
    const res = await postEvent(fake, '{"action": "login",');
    expect(res.status).toBe(400);
    expect(Object.keys(res.json as object)).toEqual(['detail']);
    expect((res.json as { detail: string }).detail).toMatch(/^JSON parse error - ./);
  });

  it('400 non_field_errors for a JSON array: there is no bulk endpoint', async () => {
    const fake = await start();
    const res = await postEvent(fake, [valid(), valid()]);
    expect(res.status).toBe(400);
    // DRF 3.16 Serializer.default_error_messages['invalid'].
    expect(res.json).toEqual({
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
    expect(fake.events).toHaveLength(0);
  });

  it.each([
    ['"login"', 'str'],
    ['42', 'int'],
    ['4.2', 'float'],
    ['true', 'bool'],
  ])('400 names the Python type of a %s body', async (body, type) => {
    const fake = await start();
    const res = await postEvent(fake, body);
    expect(res.json).toEqual({
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`],
    });
  });

  it('400 "No data provided" for a JSON null body', async () => {
    const fake = await start();
    const res = await postEvent(fake, 'null');
    expect(res.json).toEqual({ non_field_errors: ['No data provided'] });
  });

  it('treats an empty body as an empty object whatever its content type', async () => {
    const fake = await start();
    const res = await rawRequest(fake, {
      headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      action: ['This field is required.'],
      app: ['This field is required.'],
    });
  });

  it('413 for a body above maxBodyBytes, announced or streamed', async () => {
    const fake = await start({ maxBodyBytes: 1024 });
    const big = JSON.stringify(valid({ context: { pad: 'x'.repeat(2000) } }));
    const res = await postEvent(fake, big);
    expect(res.status).toBe(413);
    const streamed = await rawRequest(fake, {
      headers: {
        Authorization: `Bearer ${fake.token}`,
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
      },
      body: big,
    });
    expect(streamed.status).toBe(413);
    expect(fake.events).toHaveLength(0);
    // Just under the limit is fine.
    expect((await postEvent(fake, valid({ context: { pad: 'x'.repeat(900) } }))).status).toBe(201);
  });

  it('defaults maxBodyBytes to 32 MiB', async () => {
    const fake = await start();
    const res = await rawRequest(fake, {
      headers: {
        Authorization: `Bearer ${fake.token}`,
        'Content-Type': 'application/json',
        'Content-Length': String(32 * 1024 * 1024 + 1),
      },
    }).catch((error: Error) => ({ status: -1, text: error.message }));
    // The fake answers 413 from the announced length without reading; the client may instead
    // see the connection close while it still "owes" the body.
    expect([413, -1]).toContain(res.status);
    expect(fake.requests[0]?.status).toBe(413);
  });

  it('405 for other methods on the list', async () => {
    const fake = await start();
    const res = await rawRequest(fake, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${fake.token}` },
    });
    expect(res.status).toBe(405);
    expect(JSON.parse(res.text)).toEqual({ detail: 'Method "PUT" not allowed.' });
  });

  it('stores nothing for refused requests', async () => {
    const fake = await start();
    await postEvent(fake, '[]');
    await postEvent(fake, {}, { 'Content-Type': 'text/plain' });
    expect(fake.events).toHaveLength(0);
    expect(fake.requests.map((r) => r.path)).toEqual([EVENTS, EVENTS]);
  });
});
