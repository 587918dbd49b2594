import { z } from 'zod';
import type { EventClient } from '../client.js';
import { ConfigError, describeError } from '../errors.js';
import {
  callback,
  configErrorOf,
  milliseconds,
  printableKey,
  readOptions,
  strictObject,
  withoutToken,
} from '../option-schema.js';
import type { ClientOptions } from '../options.js';
import { CLIENT_OPTION_NAMES, clientOptionsSchemaShape } from '../resolve-options.js';
import type { AdapterOptions } from './adapter-options.js';
import type { TrustProxyFn } from './trust-proxy.js';
import { trustProxySchema } from './trust-proxy-schema.js';

/** lru-cache allocates typed arrays of `max` entries up front: a huge `max` is memory taken at once. */
const MAX_CACHE_ENTRIES = 1_000_000;

const lookupOptions = strictObject({
  // 0 would mean "never expires" to lru-cache, the opposite of what 0 says.
  ttlMs: milliseconds().optional(),
  failureTtlMs: milliseconds().optional(),
  max: z.number().int().positive().max(MAX_CACHE_ENTRIES).optional(),
});

const SHARE = { error: 'must be a number from 0 to 1: the share of requests recorded' };

/** RFC 9110's token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers whose value is a secret: never a request id, whatever `trustHeader` says. */
const CREDENTIAL_HEADER = /auth|cookie|token|secret|passw|api-key|apikey/i;

const ignoreEntry = z.union(
  [
    z.instanceof(RegExp),
    z
      .string()
      .refine((path) => path.startsWith('/'), {
        error: 'must start with "/" (paths are matched from the root, e.g. "/health")',
      })
      .refine((path) => !/[?#]/.test(path), {
        error: 'must be a path without query or fragment (the query is not matched)',
      })
      .refine((path) => !path.slice(0, -1).includes('*'), {
        error: 'may have "*" only at its end (a prefix); use a RegExp for other patterns',
      }),
  ],
  { error: 'must be a path string or a RegExp' },
);

const staticBrand = z.looseObject({
  pk: z.string().optional(),
  app: z.string().optional(),
  model_name: z.string().optional(),
  name: z.string().optional(),
});

const lookupBrand = strictObject({
  lookup: z.union([z.literal(true), lookupOptions], {
    error: 'must be true or { ttlMs, failureTtlMs, max }',
  }),
}).transform((brand) => ({ lookup: brand.lookup === true ? {} : brand.lookup }));

/** An object brand: `{ lookup: … }` when it has that key (its problems named inside it), else a static brand. */
const brandObject = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  )
  .transform((brand, context) => {
    const result = ('lookup' in brand ? lookupBrand : staticBrand).safeParse(brand);
    if (result.success) return result.data;
    for (const issue of result.error.issues)
      context.issues.push({ ...issue, input: brand } as never);
    return z.NEVER;
  });

const brandOption = z.union([z.literal('lookup'), callback(), brandObject], {
  error:
    "must be a brand object ({ pk, name }), a function of the request, 'lookup' or { lookup: { … } }",
});

const CLIENT_MEMBERS = [
  'emit',
  'flush',
  'close',
  'stats',
  'report',
  'refuse',
  'shedIfFull',
  'countSampledOut',
] as const;

/** What a shared client lacks, if anything (a client of an older version lacks some members). */
function clientProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return 'must be a client from createEventClient';
  try {
    const client = value as Record<string, unknown>;
    const missing = CLIENT_MEMBERS.filter((name) => typeof client[name] !== 'function');
    if (missing.length > 0 || typeof client.api !== 'object' || client.api === null) {
      return `must be a client from createEventClient of this version (it lacks ${missing.join(', ') || 'api'})`;
    }
    if (client.closed === true)
      return 'is already closed: every event would be dropped as "closed"';
  } catch (error) {
    return `cannot be read: ${describeError(error)}`;
  }
  return undefined;
}

const adapterShape = {
  client: z
    .custom<EventClient>((value) => clientProblem(value) === undefined, {
      error: (issue) => clientProblem(issue.input),
    })
    .optional(),
  autoLog: z
    .union(
      [
        z.boolean(),
        strictObject({
          sample: z
            .union([z.number().min(0, SHARE).max(1, SHARE), callback()], {
              error:
                'must be a number from 0 to 1 (the share of requests recorded) or a function (request) => number | boolean',
            })
            .optional(),
        }),
      ],
      { error: 'must be true, false or { sample }' },
    )
    .optional(),
  ignore: z
    .union([z.array(ignoreEntry), callback()], {
      error: 'must be an array of paths/RegExps or a function (path, request) => boolean',
    })
    .optional(),
  user: callback().optional(),
  userLookup: z
    .union([z.boolean(), lookupOptions], {
      error: 'must be true, false or { ttlMs, failureTtlMs, max }',
    })
    .optional(),
  brand: brandOption.optional(),
  context: callback().optional(),
  includeStack: z.boolean().optional(),
  clientIp: callback().optional(),
  requestId: strictObject({
    header: z
      .string()
      .max(256)
      .regex(HEADER_NAME, {
        error: 'must be an HTTP header name (letters, digits, - and the like)',
      })
      .refine((name) => !CREDENTIAL_HEADER.test(name), {
        error: 'names a header that carries credentials, which would be copied into every event',
      })
      .transform((name) => name.toLowerCase())
      .optional(),
    trustHeader: z.boolean().optional(),
  }).optional(),
};

/**
 * Options only some adapters take: those whose framework has no setting of its own for the
 * purpose (Hono has no trust-proxy setting; Express, Koa and Fastify do, and decide by it).
 * Refused as unknown by every other adapter.
 */
const specificShape = {
  trustProxy: trustProxySchema,
};
export type AdapterSpecificOption = keyof typeof specificShape;
/** Why an adapter that does not take a specific option has no need of it. */
const NOT_TAKEN_HERE: Record<AdapterSpecificOption, string> = {
  trustProxy:
    "is not taken: the framework's own trust-proxy setting decides (Express: app.set('trust proxy', …); Fastify: Fastify({ trustProxy }); Koa: app.proxy; NestJS: its platform's)",
};
/** The specific options as checked (compiled where they are compiled). */
export interface CheckedSpecificOptions {
  trustProxy?: TrustProxyFn;
}

const ADAPTER_OPTION_NAMES = Object.keys(adapterShape);
const ALL_OPTION_NAMES = [...CLIENT_OPTION_NAMES, ...ADAPTER_OPTION_NAMES];
const adapterSchema = strictObject({ ...clientOptionsSchemaShape, ...adapterShape });

/** The schema of an adapter that takes some specific options too (made once per adapter instance). */
function schemaWith(specific: readonly AdapterSpecificOption[]) {
  if (specific.length === 0) return adapterSchema;
  const extra = Object.fromEntries(specific.map((name) => [name, specificShape[name].optional()]));
  return strictObject({ ...clientOptionsSchemaShape, ...adapterShape, ...extra });
}

/** The adapter's options, checked, and the client's part of them, split. */
export interface CheckedAdapterOptions<R> {
  /** A checked copy: what the app changes in its object later has no effect. */
  adapter: AdapterOptions<R>;
  /** Only the options `createEventClient` takes (none when a client is shared). */
  client: ClientOptions;
  /** The adapter-specific options it asked for, checked. */
  specific: CheckedSpecificOptions;
}

/**
 * Checks every adapter option once, with the same zod approach as the client's: a wrong or
 * unknown option (`autolog`, `userLookup.ttl`) is a `ConfigError` naming it. The client's
 * options are checked again, with the environment, by `createEventClient`.
 */
export function checkAdapterOptions<R>(
  options: unknown,
  packageName: string,
  frameworkKeys: readonly string[] = [],
  specific: readonly AdapterSpecificOption[] = [],
): CheckedAdapterOptions<R> {
  const given = readOptions(options, [...ALL_OPTION_NAMES, ...specific], `of ${packageName} `);
  for (const key of frameworkKeys) delete given[key];
  for (const name of Object.keys(specificShape) as AdapterSpecificOption[]) {
    if (name in given && !specific.includes(name))
      throw new ConfigError(name, `of ${packageName} ${NOT_TAKEN_HERE[name]}`);
  }
  const schema = schemaWith(specific);
  let parsed: ReturnType<typeof schema.safeParse>;
  try {
    parsed = schema.safeParse(given);
  } catch (error) {
    throw new ConfigError('options', `of ${packageName} cannot be read: ${describeError(error)}`);
  }
  if (!parsed.success) {
    throw withoutToken(configErrorOf(parsed.error), given.token ?? process.env.AUTHENTIK_TOKEN);
  }

  const clientPart: Record<string, unknown> = {};
  for (const name of CLIENT_OPTION_NAMES) if (name in given) clientPart[name] = given[name];
  if (parsed.data.client !== undefined) {
    // A shared client was configured where it was created; these would be ignored in silence.
    const ignored = Object.keys(clientPart)[0];
    if (ignored !== undefined) {
      throw new ConfigError(
        printableKey(ignored),
        'has no effect with "client" (a shared client keeps the options it was created with): pass it to createEventClient instead, or leave "client" out',
      );
    }
  }
  const adapter = Object.fromEntries(
    ADAPTER_OPTION_NAMES.filter((name) => name in parsed.data).map((name) => [
      name,
      (parsed.data as Record<string, unknown>)[name],
    ]),
  );
  const specificPart = Object.fromEntries(
    specific
      .filter((name) => name in parsed.data)
      .map((name) => [name, (parsed.data as Record<string, unknown>)[name]]),
  );
  return {
    adapter: adapter as AdapterOptions<R>,
    client: clientPart as ClientOptions,
    specific: specificPart as CheckedSpecificOptions,
  };
}
