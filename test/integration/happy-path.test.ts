import { describe, expect, it } from 'vitest';
import {
  connect,
  EVENTS_PATH,
  eventPosts,
  expectAccounting,
  expectValidBodies,
  REDACTED,
  startFake,
  storedIds,
  UUID,
} from './helpers.js';

// What a delivered event looks like once stored: each field as authentik would keep it.
describe('happy path: events land as authentik stores them', () => {
  it('maps every field: custom action, user, IP, brand, nested context, expires, redaction', async () => {
    const fake = await startFake();
    const { client, errors } = connect(fake);
    const brand = {
      pk: '6f1d1c9e8b7a4f3e9d2c1b0a99887766',
      app: 'authentik_brands',
      model_name: 'brand',
      name: 'Example brand',
    };
    const accepted = client.emit({
      action: 'custom_invoice_paid',
      user: { pk: 42, username: 'jane', email: 'jane@example.com' },
      clientIp: '::ffff:203.0.113.7',
      brand,
      expires: new Date('2030-01-02T03:04:05.678Z'),
      context: {
        invoice: { id: 'inv-7', lines: [{ sku: 'A1', qty: 2 }], total: 19.5 },
        api_key: 'sk_live_abc',
        payment: { card_token: 'tok_123', passing: true, provider: 'acme' },
        password_change_date: '2024-01-01',
      },
    });
    expect(accepted).toBe(true);
    const report = await client.flush();
    expect(report).toMatchObject({ delivered: 1, pending: 0, complete: true });

    expect(fake.events).toHaveLength(1);
    const [stored] = fake.events;
    expect(stored).toMatchObject({
      action: 'custom_',
      app: 'integration-tests',
      user: { pk: 42, username: 'jane', email: 'jane@example.com' },
      client_ip: '203.0.113.7',
      brand,
      expires: '2030-01-02T03:04:05.678000Z',
    });
    expect(stored?.context).toEqual({
      invoice: { id: 'inv-7', lines: [{ sku: 'A1', qty: 2 }], total: 19.5 },
      api_key: REDACTED,
      // Dicts are descended into; `passing` is one of authentik's exceptions.
      payment: { card_token: REDACTED, passing: true, provider: 'acme' },
      password_change_date: '2024-01-01',
      custom_action: 'invoice_paid',
      event_id: expect.stringMatching(UUID),
    });
    expect(REDACTED).toBe('*'.repeat(20));
    expect(errors).toEqual([]);
    expectAccounting(client.stats());
    expect(expectValidBodies(fake)).toBe(1);
  });

  it("sends authentik's own actions as they are, with IPv6, a per-event app and no optional fields", async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    client.emit({ action: 'login', clientIp: '2001:db8::1', app: 'billing' });
    client.emit({ action: 'logout', clientIp: 'not an ip' });
    client.emit({ action: 'model_updated' });
    await client.flush();

    const byAction = new Map(fake.events.map((e) => [e.action, e]));
    expect(byAction.get('login')).toMatchObject({ app: 'billing', client_ip: '2001:db8::1' });
    expect(byAction.get('login')?.context).toEqual({ event_id: expect.stringMatching(UUID) });
    // An address that is not one becomes null; the event itself is kept.
    expect(byAction.get('logout')).toMatchObject({ app: 'integration-tests', client_ip: null });
    expect(byAction.get('model_updated')).toMatchObject({ client_ip: null, user: {} });
    expectAccounting(client.stats());
  });

  it('gives every event its own UUID event_id', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    for (let i = 0; i < 200; i++) client.emit({ action: 'custom_tick', context: { i } });
    const report = await client.flush();
    expect(report.delivered).toBe(200);

    const ids = storedIds(fake);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(fake.events.map((e) => e.context.i))).toEqual(new Set([...Array(200).keys()]));
    expectAccounting(client.stats());
  });

  it('POSTs JSON to /api/v3/events/events/ with the bearer token', async () => {
    const fake = await startFake();
    const { client } = connect(fake);
    client.emit({ action: 'login' });
    await client.flush();

    const [request] = eventPosts(fake);
    expect(eventPosts(fake)).toHaveLength(1);
    expect(request?.path).toBe(EVENTS_PATH);
    expect(request?.headers.authorization).toBe(`Bearer ${fake.token}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.status).toBe(201);
    expectAccounting(client.stats());
  });

  it('does not double the slash of a base URL given with a trailing one', async () => {
    const fake = await startFake();
    const { client } = connect(fake, { url: `${fake.url}/` });
    client.emit({ action: 'login' });
    await client.flush();
    expect(eventPosts(fake).map((r) => r.path)).toEqual([EVENTS_PATH]);
    expect(fake.events).toHaveLength(1);
  });
});
