import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_ACTIONS } from '../src/index.js';
import { postEvent, start, valid } from './helpers.js';

// authentik's schema of the endpoint (2026.2.2), copied from the design folder.
const schema = JSON.parse(
  readFileSync(new URL('./fixtures/events-openapi.json', import.meta.url), 'utf8'),
) as {
  components: { schemas: { EventActions: { enum: string[] } } };
};

describe('EVENT_ACTIONS', () => {
  it("equals the enum in authentik's schema, in order", () => {
    expect([...EVENT_ACTIONS]).toEqual(schema.components.schemas.EventActions.enum);
    expect(EVENT_ACTIONS).toHaveLength(33);
  });

  it('every value is accepted and stored', async () => {
    const fake = await start();
    for (const action of EVENT_ACTIONS) {
      const res = await postEvent(fake, valid({ action }));
      expect(res.status, action).toBe(201);
    }
    expect(fake.events.map((e) => e.action)).toEqual([...EVENT_ACTIONS]);
  });

  it('accepts the bare "custom_" but no custom_<name>', async () => {
    const fake = await start();
    expect((await postEvent(fake, valid({ action: 'custom_' }))).status).toBe(201);
    expect((await postEvent(fake, valid({ action: 'custom_http_request' }))).status).toBe(400);
  });
});
