import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import openapi from '../../packages/core/test/fixtures/events-openapi.json' with { type: 'json' };

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ??
  formatsModule) as unknown as (ajv: Ajv) => Ajv;

const COMPONENTS = '#/components/schemas/';

/**
 * OpenAPI 3.0 -> JSON Schema: `nullable: true` becomes a `null` member of `type`, and refs to
 * `#/components/schemas/X` point at `#/definitions/X`, where the components are put.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENTS)) {
      out.$ref = `#/definitions/${value.slice(COMPONENTS.length)}`;
    } else {
      out[key] = toJsonSchema(value);
    }
  }
  if ((node as { nullable?: unknown }).nullable === true && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
  }
  return out;
}

const definitions = toJsonSchema(openapi.components.schemas) as Record<string, object>;

/**
 * authentik's EventRequest (the create endpoint's request body), from the copy of its OpenAPI
 * schema in the core package's fixtures. Stricter in one way: no other keys. The server would
 * ignore them, but a key it ignores (say a camelCase `clientIp`) is a field silently lost.
 */
const eventRequestSchema = {
  definitions,
  ...definitions.EventRequest,
  additionalProperties: false,
};

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(eventRequestSchema);

/** The schema violations of one request body (raw JSON text); empty when it is valid. */
export function eventRequestErrors(body: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return [`not JSON: ${(error as Error).message}`];
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}`);
}
