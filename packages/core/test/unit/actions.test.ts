import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTHENTIK_ACTIONS, checkAction, toWireAction } from '../../src/actions.js';

const openapi = JSON.parse(
  readFileSync(new URL('../fixtures/events-openapi.json', import.meta.url), 'utf8'),
) as { components: { schemas: { EventActions: { enum: string[] } } } };
const schemaActions = openapi.components.schemas.EventActions.enum;

describe('AUTHENTIK_ACTIONS', () => {
  it('is exactly the EventActions enum of the OpenAPI schema', () => {
    expect(schemaActions.length).toBeGreaterThan(30);
    expect(new Set(AUTHENTIK_ACTIONS)).toEqual(new Set(schemaActions));
    expect(AUTHENTIK_ACTIONS).toHaveLength(schemaActions.length);
  });

  it('has no duplicates', () => {
    expect(new Set(AUTHENTIK_ACTIONS).size).toBe(AUTHENTIK_ACTIONS.length);
  });

  it('includes the bare custom_', () => {
    expect(AUTHENTIK_ACTIONS).toContain('custom_');
  });
});

describe('checkAction', () => {
  it.each(schemaActions)('accepts %s', (action) => {
    expect(checkAction(action)).toBeUndefined();
  });

  it.each(['custom_x', 'custom_http_request', 'custom_order.paid', 'custom_ü'])(
    'accepts custom action %s',
    (action) => {
      expect(checkAction(action)).toBeUndefined();
    },
  );

  it('accepts the bare custom_ (it is in the enum)', () => {
    expect(checkAction('custom_')).toBeUndefined();
  });

  it.each(['custom_ ', 'custom_\t'])(
    'refuses custom_ followed only by whitespace (%j)',
    (action) => {
      expect(checkAction(action)).toBe(
        `unknown action "${action}": use one of authentik's actions or custom_<name>`,
      );
    },
  );

  it.each([
    '',
    'Login',
    'LOGIN',
    'login ',
    'signin',
    'custom',
    'Custom_foo',
    'x_custom_foo',
    'model_created_',
  ])('refuses unknown action %j', (action) => {
    expect(checkAction(action)).toBe(
      `unknown action "${action}": use one of authentik's actions or custom_<name>`,
    );
  });

  it('shortens a very long unknown action in the message', () => {
    const message = checkAction('y'.repeat(1000));
    expect(message).toBe(
      `unknown action "${'y'.repeat(80)}": use one of authentik's actions or custom_<name>`,
    );
  });

  it.each([
    [undefined, 'undefined'],
    [null, 'object'],
    [42, 'number'],
    [{ action: 'login' }, 'object'],
    [['login'], 'object'],
    [Symbol('login'), 'symbol'],
  ])('refuses the non-string %s', (action, type) => {
    expect(checkAction(action)).toBe(`action must be a string, got ${type}`);
  });
});

describe('toWireAction', () => {
  it.each(schemaActions)('sends %s as it is', (action) => {
    expect(toWireAction(action)).toEqual({ action });
    expect(toWireAction(action)).not.toHaveProperty('customName');
  });

  it('maps custom_foo to custom_ with the name', () => {
    expect(toWireAction('custom_foo')).toEqual({ action: 'custom_', customName: 'foo' });
  });

  it('keeps the whole name, including further underscores', () => {
    expect(toWireAction('custom_http_request')).toEqual({
      action: 'custom_',
      customName: 'http_request',
    });
  });

  it('sends the bare custom_ without a name', () => {
    expect(toWireAction('custom_')).toEqual({ action: 'custom_' });
  });
});
