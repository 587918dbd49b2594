import { describe, expect, it } from 'vitest';
import { eventRequestErrors } from './event-request-schema.js';

// The schema check runs after every integration test; this shows it can fail.
describe('the EventRequest schema check', () => {
  const valid = { action: 'login', app: 'shop', context: {} };

  it('accepts a valid body, with a null client_ip (OpenAPI nullable)', () => {
    expect(eventRequestErrors(JSON.stringify(valid))).toEqual([]);
    expect(eventRequestErrors(JSON.stringify({ ...valid, client_ip: null }))).toEqual([]);
    expect(
      eventRequestErrors(JSON.stringify({ ...valid, expires: '2030-01-01T00:00:00.000Z' })),
    ).toEqual([]);
  });

  it('refuses what authentik would refuse or ignore', () => {
    const cases: unknown[] = [
      { ...valid, action: 'custom_foo' },
      { ...valid, app: '' },
      { ...valid, client_ip: '' },
      { ...valid, expires: 'tomorrow' },
      { ...valid, context: [] },
      { ...valid, clientIp: '1.2.3.4' },
      { app: 'shop' },
      [valid],
    ];
    for (const body of cases) {
      expect(eventRequestErrors(JSON.stringify(body)), JSON.stringify(body)).not.toEqual([]);
    }
    expect(eventRequestErrors('{not json')).toHaveLength(1);
  });
});
