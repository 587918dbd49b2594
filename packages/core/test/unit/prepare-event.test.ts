import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { AUTHENTIK_ACTIONS } from '../../src/actions.js';
import { CallbackError } from '../../src/errors.js';
import {
  buildWireEvent,
  type PrepareSettings,
  prepareEvent,
} from '../../src/payload/prepare-event.js';
import { Redactor } from '../../src/payload/redact.js';
import type { QueuedEvent } from '../../src/queued-event.js';
import type { EmitInput, WireEvent } from '../../src/types.js';
import { wireEventSchema } from '../../src/wire-schema.js';

const MASK = '********************';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const openapi = JSON.parse(
  readFileSync(new URL('../fixtures/events-openapi.json', import.meta.url), 'utf8'),
) as {
  components: { schemas: Record<string, Json> };
};

/**
 * OpenAPI 3.0 schema -> JSON Schema for ajv: `$ref`s to components are inlined and
 * `nullable: true` becomes a union with `null`.
 */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    const target = openapi.components.schemas[name];
    if (target === undefined) throw new Error(`unknown $ref ${ref}`);
    return toJsonSchema(target);
  }
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable') continue;
    out[key] = toJsonSchema(value);
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
  formatsModule) as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const eventRequestSchema = toJsonSchema(openapi.components.schemas.EventRequest as Json);
const validateEventRequest = ajv.compile(eventRequestSchema as object);

let seq = 0;
function queued(
  input: EmitInput,
  id = `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
): QueuedEvent {
  return { id, seq, input, bytes: 100 };
}

function settings(overrides: Partial<PrepareSettings> = {}): PrepareSettings {
  return {
    app: 'shop',
    maxEventBytes: 64 * 1024,
    redactor: new Redactor(),
    beforeSend: undefined,
    ...overrides,
  };
}

function prepareOk(
  input: EmitInput,
  overrides: Partial<PrepareSettings> = {},
  id?: string,
): Record<string, unknown> {
  const result = prepareEvent(queued(input, id), settings(overrides));
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.message}`);
  return JSON.parse(result.body) as Record<string, unknown>;
}

describe('the OpenAPI schema helper', () => {
  it('makes client_ip nullable and inlines the action enum', () => {
    const schema = eventRequestSchema as {
      properties: Record<string, { type?: unknown; enum?: unknown[] }>;
    };
    expect(schema.properties.client_ip?.type).toEqual(['string', 'null']);
    expect(schema.properties.action?.enum).toContain('custom_');
  });

  it('refuses what authentik refuses (so the check below can fail)', () => {
    expect(validateEventRequest({ action: 'login', app: 'x' })).toBe(true);
    expect(validateEventRequest({ action: 'custom_foo', app: 'x' })).toBe(false);
    expect(validateEventRequest({ action: 'login', app: '' })).toBe(false);
    expect(validateEventRequest({ action: 'login', app: 'x', context: null })).toBe(false);
    expect(validateEventRequest({ action: 'login', app: 'x', context: [] })).toBe(false);
    expect(validateEventRequest({ action: 'login', app: 'x', client_ip: '' })).toBe(false);
    expect(validateEventRequest({ action: 'login', app: 'x', client_ip: null })).toBe(true);
    expect(validateEventRequest({ action: 'login', app: 'x', expires: 'tomorrow' })).toBe(false);
    expect(validateEventRequest({ app: 'x' })).toBe(false);
  });
});

describe('buildWireEvent', () => {
  it('builds the minimal event with the client app and the event_id', () => {
    const event = queued({ action: 'login' }, 'id-1');
    expect(buildWireEvent(event, settings())).toEqual({
      action: 'login',
      app: 'shop',
      context: { event_id: 'id-1' },
    });
  });

  it('uses snake_case on the wire and normalises the IP', () => {
    const wire = buildWireEvent(
      queued(
        {
          action: 'login_failed',
          clientIp: '::ffff:203.0.113.7',
          user: { pk: 42, username: 'jane', email: 'jane@example.com' },
          brand: { pk: 'abc', app: 'authentik_brands', model_name: 'brand', name: 'Main' },
          context: { reason: 'bad password' },
          expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
        },
        'id-2',
      ),
      settings(),
    );
    expect(wire).toEqual({
      action: 'login_failed',
      app: 'shop',
      client_ip: '203.0.113.7',
      user: { pk: 42, username: 'jane', email: 'jane@example.com' },
      brand: { pk: 'abc', app: 'authentik_brands', model_name: 'brand', name: 'Main' },
      context: { reason: 'bad password', event_id: 'id-2' },
      expires: '2030-01-02T03:04:05.000Z',
    });
    expect(wire).not.toHaveProperty('clientIp');
  });

  it('sends a custom action as custom_ with the name in context.custom_action', () => {
    const wire = buildWireEvent(
      queued({ action: 'custom_order_paid', context: { order: 7 } }, 'id-3'),
      settings(),
    );
    expect(wire).toEqual({
      action: 'custom_',
      app: 'shop',
      context: { order: 7, event_id: 'id-3', custom_action: 'order_paid' },
    });
  });

  it('does not add custom_action for the bare custom_', () => {
    const wire = buildWireEvent(queued({ action: 'custom_' }, 'id-4'), settings());
    expect(wire.context).toEqual({ event_id: 'id-4' });
  });

  it('overrides an event_id or custom_action the app put in the context', () => {
    const wire = buildWireEvent(
      queued(
        { action: 'custom_real', context: { event_id: 'forged', custom_action: 'forged' } },
        'id-5',
      ),
      settings(),
    );
    expect(wire.context).toEqual({ event_id: 'id-5', custom_action: 'real' });
  });

  it('lets the event override the app', () => {
    expect(buildWireEvent(queued({ action: 'login', app: 'billing' }), settings()).app).toBe(
      'billing',
    );
  });

  it('turns an invalid IP into null, keeps null, and leaves out an absent IP', () => {
    expect(
      buildWireEvent(queued({ action: 'login', clientIp: '1.2.3.4:80' }), settings()).client_ip,
    ).toBeNull();
    expect(
      buildWireEvent(queued({ action: 'login', clientIp: null }), settings()).client_ip,
    ).toBeNull();
    expect(buildWireEvent(queued({ action: 'login' }), settings())).not.toHaveProperty('client_ip');
    expect(
      buildWireEvent(queued({ action: 'login', clientIp: 'fe80::1%eth0' }), settings()).client_ip,
    ).toBe('fe80::1');
  });

  it('turns an expires string into an ISO date-time in UTC', () => {
    const wire = buildWireEvent(
      queued({ action: 'login', expires: '2030-01-01T00:00:00+02:00' }),
      settings(),
    );
    expect(wire.expires).toBe('2029-12-31T22:00:00.000Z');
  });

  it('sanitises and redacts context, user and brand', () => {
    const wire = buildWireEvent(
      queued(
        {
          action: 'login',
          user: { pk: 1, username: 'jane', api_token: 'abc' },
          brand: { name: 'b', secret: 's' },
          context: { at: new Date(0), n: 5n, password: 'p', nul: 'a\u0000b' },
        },
        'id-6',
      ),
      settings(),
    );
    expect(wire.user).toEqual({ pk: 1, username: 'jane', api_token: MASK });
    expect(wire.brand).toEqual({ name: 'b', secret: MASK });
    expect(wire.context).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      n: '5',
      password: MASK,
      nul: 'ab',
      event_id: 'id-6',
    });
  });

  it('does not redact with redactor: false', () => {
    const wire = buildWireEvent(
      queued({ action: 'login', context: { password: 'p' } }, 'id-7'),
      settings({ redactor: false }),
    );
    expect(wire.context).toEqual({ password: 'p', event_id: 'id-7' });
  });

  it('does not modify the emitted input', () => {
    const context = { password: 'p', when: new Date(0) };
    const input: EmitInput = { action: 'custom_x', context };
    buildWireEvent(queued(input), settings());
    expect(context).toEqual({ password: 'p', when: new Date(0) });
    expect(input.context).toBe(context);
  });
});

describe('prepareEvent', () => {
  it('returns the JSON body of the wire event', () => {
    const result = prepareEvent(
      queued({ action: 'logout', clientIp: '10.0.0.1' }, 'id-a'),
      settings(),
    );
    expect(result).toEqual({
      ok: true,
      body: '{"action":"logout","app":"shop","context":{"event_id":"id-a"},"client_ip":"10.0.0.1"}',
    });
  });

  it('drops the entries of many short fields that cannot be cut, keeping its event_id', () => {
    const context: Record<string, string> = {};
    for (let i = 0; i < 200; i++) context[`field_${i}`] = 'v'.repeat(30);
    const result = prepareEvent(
      queued({ action: 'login', context }),
      settings({ maxEventBytes: 1024 }),
    );
    expect(result.ok).toBe(true);
    const body = (result as { body: string }).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(1024);
    const sent = (JSON.parse(body) as WireEvent).context;
    expect(sent.event_id).toEqual(expect.any(String));
    expect(sent['…']).toMatch(/^\[Truncated: \d+ entries, \d+ bytes\]$/);
    // As many fields as fit are kept, whole.
    const kept = Object.keys(sent).filter((key) => key.startsWith('field_'));
    expect(kept.length).toBeGreaterThan(10);
    for (const key of kept) expect(sent[key]).toBe('v'.repeat(30));
  });

  it('drops as too_large only what does not fit even emptied', () => {
    const result = prepareEvent(queued({ action: 'login' }), settings({ maxEventBytes: 40 }));
    expect(result).toEqual({
      ok: false,
      reason: 'too_large',
      message:
        'event is larger than maxEventBytes (40) even with its strings cut and its records emptied',
    });
  });

  it('cuts long context strings to fit maxEventBytes', () => {
    const result = prepareEvent(
      queued({ action: 'system_exception', context: { message: 'x'.repeat(10_000) } }),
      settings({ maxEventBytes: 2048 }),
    );
    expect(result.ok).toBe(true);
    const body = (result as { body: string }).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(2048);
    expect((JSON.parse(body) as WireEvent).context.message).toMatch(/^x+…\[truncated\]$/);
  });

  it('reports an event that cannot be built as invalid', () => {
    const result = prepareEvent(queued({ action: 'login', expires: 'not a date' }), settings());
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    expect((result as { message: string }).message).toBe(
      'event could not be built: RangeError: Invalid time value',
    );
  });
});

describe('prepareEvent: beforeSend', () => {
  it('sees the sanitised, redacted wire event', () => {
    let seen: WireEvent | undefined;
    prepareOk(
      { action: 'custom_x', context: { password: 'p', at: new Date(0) } },
      {
        beforeSend: (event) => {
          seen = structuredClone(event);
          return event;
        },
      },
      'id-b',
    );
    expect(seen).toEqual({
      action: 'custom_',
      app: 'shop',
      context: {
        password: MASK,
        at: '1970-01-01T00:00:00.000Z',
        event_id: 'id-b',
        custom_action: 'x',
      },
    });
  });

  it('may return a changed event', () => {
    const body = prepareOk(
      { action: 'login', context: { a: 1 } },
      {
        beforeSend: (event) => ({
          ...event,
          app: 'changed',
          context: { ...event.context, added: true },
        }),
      },
      'id-c',
    );
    expect(body).toEqual({
      action: 'login',
      app: 'changed',
      context: { a: 1, event_id: 'id-c', added: true },
    });
  });

  it('may change the event in place and return nothing', () => {
    const body = prepareOk(
      { action: 'login' },
      {
        beforeSend: (event) => {
          event.context.tenant = 'acme';
          return undefined;
        },
      },
      'id-d',
    );
    expect(body).toEqual({
      action: 'login',
      app: 'shop',
      context: { event_id: 'id-d', tenant: 'acme' },
    });
  });

  it('makes what the hook added JSON-safe again (no second redaction)', () => {
    const body = prepareOk(
      { action: 'login' },
      {
        beforeSend: (event) => {
          event.context.when = new Date(0);
          event.context.big = 7n;
          event.context.password = 'added by the hook';
          return event;
        },
      },
      'id-e',
    );
    expect(body.context).toEqual({
      event_id: 'id-e',
      when: '1970-01-01T00:00:00.000Z',
      big: '7',
      password: 'added by the hook',
    });
  });

  it.each([null, false] as const)('drops the event as filtered when it returns %s', (value) => {
    const result = prepareEvent(queued({ action: 'login' }), settings({ beforeSend: () => value }));
    expect(result).toEqual({
      ok: false,
      reason: 'filtered',
      message: 'beforeSend dropped the event',
    });
  });

  it('reports a hook that throws as invalid, with a CallbackError', () => {
    const boom = new Error('boom');
    const result = prepareEvent(
      queued({ action: 'login' }),
      settings({
        beforeSend: () => {
          throw boom;
        },
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid',
      message: 'beforeSend threw: Error: boom',
    });
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(CallbackError);
    expect((error as CallbackError).callback).toBe('beforeSend');
    expect((error as CallbackError).cause).toBe(boom);
  });

  it.each<[string, unknown, string]>([
    ['a number', 42, 'event'],
    ['a string', 'event', 'event'],
    ['true', true, 'event'],
    ['an array', [], 'event'],
    ['an unknown action', { action: 'custom_foo', app: 'shop', context: {} }, 'action'],
    ['a blank app', { action: 'login', app: '  ', context: {} }, 'app'],
    ['an app with NUL', { action: 'login', app: 'a\u0000', context: {} }, 'app'],
    ['no context', { action: 'login', app: 'shop' }, 'context'],
    ['a null context', { action: 'login', app: 'shop', context: null }, 'context'],
    ['a list context', { action: 'login', app: 'shop', context: [] }, 'context'],
    ['a string user', { action: 'login', app: 'shop', context: {}, user: 'jane' }, 'user'],
    [
      'an IP with a port',
      { action: 'login', app: 'shop', context: {}, client_ip: '1.2.3.4:80' },
      'client_ip',
    ],
    ['an empty IP', { action: 'login', app: 'shop', context: {}, client_ip: '' }, 'client_ip'],
    [
      'a bad expires',
      { action: 'login', app: 'shop', context: {}, expires: 'tomorrow' },
      'expires',
    ],
    ['a null expires', { action: 'login', app: 'shop', context: {}, expires: null }, 'expires'],
  ])('reports a hook returning %s as invalid', (_name, returned, path) => {
    const result = prepareEvent(
      queued({ action: 'login' }),
      settings({ beforeSend: () => returned as WireEvent }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    const { message, error } = result as { message: string; error: unknown };
    expect(
      message.startsWith(`beforeSend returned an event authentik would refuse: ${path}: `),
    ).toBe(true);
    expect(error).toBeInstanceOf(CallbackError);
  });

  it('never throws when the hook returns an object whose getter throws', () => {
    const hostile = {
      app: 'shop',
      context: {},
      get action(): string {
        throw new Error('gotcha');
      },
    };
    let result: ReturnType<typeof prepareEvent> | undefined;
    expect(() => {
      result = prepareEvent(
        queued({ action: 'login' }),
        settings({ beforeSend: () => hostile as unknown as WireEvent }),
      );
    }).not.toThrow();
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid',
      message: 'beforeSend returned an event that cannot be read: Error: gotcha',
    });
    expect((result as { error: unknown }).error).toBeInstanceOf(CallbackError);
  });

  it('keeps a __proto__ key the hook put in the context out of the body', () => {
    const body = prepareOk(
      { action: 'login' },
      {
        beforeSend: (event) => ({
          ...event,
          context: {
            ...event.context,
            ...JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
          },
        }),
      },
      'id-g',
    );
    expect(body).toEqual({ action: 'login', app: 'shop', context: { event_id: 'id-g', ok: 1 } });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('never throws when the hook adds a top-level key JSON cannot hold; the key is not sent', () => {
    let result: ReturnType<typeof prepareEvent> | undefined;
    expect(() => {
      result = prepareEvent(
        queued({ action: 'login' }, 'id-f'),
        settings({ beforeSend: (event) => ({ ...event, extra: 1n }) as WireEvent }),
      );
    }).not.toThrow();
    expect(result).toEqual({
      ok: true,
      body: '{"action":"login","app":"shop","context":{"event_id":"id-f"}}',
    });
  });
});

describe('every payload matches authentik EventRequest', () => {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const inputs: Array<[string, EmitInput, Partial<PrepareSettings>?]> = [
    ['minimal', { action: 'login' }],
    [
      'full',
      {
        action: 'login',
        app: 'billing',
        clientIp: '203.0.113.9',
        user: { pk: 42, username: 'jane', email: 'jane@example.com', is_anonymous: false },
        brand: { pk: '5f1e', app: 'authentik_brands', model_name: 'brand', name: 'Main' },
        context: {
          http_request: {
            path: '/login',
            method: 'POST',
            args: { next: '/' },
            user_agent: 'UA',
            request_id: 'r1',
          },
        },
        expires: new Date(Date.UTC(2031, 5, 1)),
      },
    ],
    [
      'custom action',
      { action: 'custom_http_request', context: { status: 200, duration_ms: 12.5 } },
    ],
    ['mapped IPv4', { action: 'logout', clientIp: '::ffff:10.1.2.3' }],
    ['IPv6 with zone', { action: 'logout', clientIp: 'fe80::1%eth0' }],
    ['invalid IP', { action: 'suspicious_request', clientIp: '1.2.3.4:5555' }],
    ['empty IP', { action: 'suspicious_request', clientIp: '' }],
    ['null IP', { action: 'suspicious_request', clientIp: null }],
    [
      'expires as string with offset',
      { action: 'model_created', expires: '2030-06-01T12:00:00-05:00' },
    ],
    [
      'hostile context',
      {
        action: 'system_exception',
        context: {
          message: 'boom\u0000',
          error: new Error('outer', { cause: new TypeError('inner') }),
          when: new Date(Number.NaN),
          big: 2n ** 70n,
          map: new Map([['k', new Set([1, 2])]]),
          buf: Buffer.from('abc'),
          cyclic,
          fn: () => 1,
          lone: '\uD83D',
          nan: Number.NaN,
        },
      },
    ],
    [
      'secrets',
      { action: 'secret_view', context: { token: 't', nested: { password: 'p', ok: 1 } } },
    ],
    [
      'secrets, redaction off',
      { action: 'secret_view', context: { token: 't' } },
      { redactor: false },
    ],
    [
      'long strings cut',
      { action: 'custom_big', context: { a: 'é'.repeat(5000), b: 'z'.repeat(5000) } },
      { maxEventBytes: 4096 },
    ],
    [
      'beforeSend change',
      { action: 'login', context: { a: 1 } },
      { beforeSend: (event) => ({ ...event, client_ip: '2001:db8::7', brand: { name: 'x' } }) },
    ],
    [
      'prototype keys',
      { action: 'login', context: JSON.parse('{"__proto__": {"x": 1}, "constructor": "c"}') },
    ],
    ...AUTHENTIK_ACTIONS.map((action): [string, EmitInput] => [`action ${action}`, { action }]),
  ];

  it.each(inputs)('%s', (_name, input, overrides) => {
    const result = prepareEvent(queued(input), settings(overrides));
    if (!result.ok) throw new Error(`not prepared: ${result.reason}: ${result.message}`);
    const body = JSON.parse(result.body) as unknown;
    const valid = validateEventRequest(body);
    expect(validateEventRequest.errors ?? [], JSON.stringify(validateEventRequest.errors)).toEqual(
      [],
    );
    expect(valid).toBe(true);
    const parsed = wireEventSchema.safeParse(body);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(result.body).not.toContain('\\u0000');
  });
});

describe('hostile input: no payload makes prepareEvent throw, run unbounded, or lose the event', () => {
  function lattice(width: number, levels: number): Record<string, unknown> {
    let node: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < levels; level++) {
      const next: Record<string, unknown> = {};
      for (let k = 0; k < width; k++) next[`k${k}`] = node;
      node = next;
    }
    return node;
  }

  function expectSent(result: ReturnType<typeof prepareEvent>, limit = 64 * 1024) {
    expect(result.ok, JSON.stringify(result).slice(0, 300)).toBe(true);
    const body = (result as { body: string }).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limit);
    const wire = JSON.parse(body) as Record<string, unknown>;
    expect(validateEventRequest(wire)).toBe(true);
    return wire as unknown as WireEvent;
  }

  it('sends a context whose serialisation would be 1 GiB (one string under 1000 keys)', () => {
    const big = 'y'.repeat(1 << 20);
    const context: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) context[`k${i}`] = big;
    const wire = expectSent(prepareEvent(queued({ action: 'custom_big', context }), settings()));
    expect(wire.context.custom_action).toBe('big');
  });

  it('sends a lattice of shared references within its budget', () => {
    const start = performance.now();
    expectSent(
      prepareEvent(queued({ action: 'custom_x', context: { root: lattice(5, 12) } }), settings()),
    );
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('sends a login_failed whose username is 70 000 characters, cut with a marker', () => {
    const wire = expectSent(
      prepareEvent(
        queued({ action: 'login_failed', user: { username: 'u'.repeat(70_000) } }),
        settings(),
      ),
    );
    expect(wire.user?.username).toMatch(/^u+…\[truncated\]$/);
  });

  it('bounds and cleans what beforeSend returns: shared, huge, NUL and lone surrogates', () => {
    const big = 'z'.repeat(1 << 20);
    const shared = { big, list: [big, big] };
    const wire = expectSent(
      prepareEvent(
        queued({ action: 'custom_x' }),
        settings({
          beforeSend: (event) => ({
            ...event,
            app: `a${'p'.repeat(200_000)}`,
            context: { ...event.context, a: shared, b: shared, root: lattice(6, 12) },
            user: { username: 'n'.repeat(200_000) },
          }),
        }),
      ),
    );
    expect(wire.app.isWellFormed()).toBe(true);
    expect(wire.app).toMatch(/…\[truncated\]$/);
  });

  it('cleans a custom action name with NUL characters and lone surrogates', () => {
    const wire = expectSent(prepareEvent(queued({ action: 'custom_a\u0000b\uDC00' }), settings()));
    expect(wire.context.custom_action).toBe('ab\uFFFD');
  });

  it('cleans an app with a lone surrogate (authentik refuses it)', () => {
    const wire = expectSent(
      prepareEvent(queued({ action: 'login', app: 'sh\uD800op' }), settings()),
    );
    expect(wire.app).toBe('sh\uFFFDop');
  });
});

describe('hostile input: what app code throws cannot make preparing an event throw', () => {
  function revokedProxy(): object {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  }

  it('reports a beforeSend that throws a revoked Proxy', () => {
    const result = prepareEvent(
      queued({ action: 'login' }),
      settings({
        beforeSend: () => {
          throw revokedProxy();
        },
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid',
      message: 'beforeSend threw: unprintable error',
    });
  });

  it('quotes at most a few hundred characters of a 10 MB error message', () => {
    const result = prepareEvent(
      queued({ action: 'login' }),
      settings({
        beforeSend: () => {
          throw new Error('m'.repeat(10_000_000));
        },
      }),
    );
    expect(result.ok).toBe(false);
    expect((result as { message: string }).message.length).toBeLessThan(600);
  });

  it('marks a getter that throws a revoked Proxy, or an Error whose message getter throws', () => {
    const nasty = new Error('x');
    Object.defineProperty(nasty, 'message', {
      get() {
        throw new Error('no message');
      },
    });
    const context = {
      get revoked(): unknown {
        throw revokedProxy();
      },
      get nasty(): unknown {
        throw nasty;
      },
    };
    const wire = prepareOk({ action: 'login', context });
    expect((wire.context as Record<string, unknown>).revoked).toBe(
      '[Unreadable: unprintable error]',
    );
    expect((wire.context as Record<string, unknown>).nasty).toBe('[Unreadable: unprintable error]');
  });
});
