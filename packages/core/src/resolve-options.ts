import { z } from 'zod';
import { ConfigError } from './errors.js';
import {
  callback,
  configErrorOf,
  fileLocation,
  MAX_TIMER_MS,
  milliseconds,
  readOptions,
  strictObject,
  withoutToken,
} from './option-schema.js';
import type { ClientOptions, ResolvedClientOptions } from './options.js';
import { resolveApp, resolveToken, type Sourced } from './resolve-credentials.js';
import { resolveUrl } from './resolve-url.js';
import { resolveCa } from './transport/trusted-certificates.js';

const positiveInt = z.number().int().positive();
/** The adaptive limit's ceiling: room for a server with a few dozen workers. */
const DEFAULT_MAX_CONCURRENCY = 32;

/** Extra CA certificates, as `tls.connect({ ca })` takes them: PEM text or a Buffer of it. */
const certificate = z.union([
  z.string().refine((pem) => pem.includes('-----BEGIN'), {
    error:
      'must be the PEM text of the certificate(s), not a file name: pass fs.readFileSync(file)',
  }),
  z.instanceof(Uint8Array).refine((bytes) => bytes.length > 0, { error: 'must not be empty' }),
]);

// Numbers and shapes; url/token/app are checked by hand (resolve-url, resolve-credentials) for
// messages that say what to do.
const clientOptionsShape = {
  url: z.unknown().optional(),
  token: z.unknown().optional(),
  app: z.unknown().optional(),
  allowInsecureHttp: z.boolean().optional(),
  batchSize: positiveInt.optional(),
  flushIntervalMs: milliseconds().optional(),
  concurrency: positiveInt.max(256).optional(),
  maxConcurrency: positiveInt.max(256).optional(),
  maxQueueSize: positiveInt.optional(),
  maxQueueBytes: positiveInt.optional(),
  overflow: z.enum(['drop-newest', 'drop-oldest']).optional(),
  requestTimeoutMs: milliseconds().optional(),
  delivery: z.enum(['background', 'worker', 'in-process']).optional(),
  workerUrl: fileLocation().optional(),
  maxEventBytes: positiveInt.min(1024).optional(),
  retry: strictObject({
    retries: z.number().int().nonnegative().max(100).optional(),
    minDelayMs: milliseconds(0).optional(),
    maxDelayMs: milliseconds(0).optional(),
    // Only compared with the time spent, never a timer: Infinity means no time limit.
    maxRetryTimeMs: z.union([milliseconds(), z.literal(Number.POSITIVE_INFINITY)]).optional(),
  }).optional(),
  redact: z
    .union([
      z.boolean(),
      strictObject({
        keys: z.array(z.string().min(1)).optional(),
        except: z.array(z.string()).optional(),
      }),
    ])
    .optional(),
  ca: z.union([certificate, z.array(certificate).min(1)]).optional(),
  beforeSend: callback().optional(),
  onError: callback().optional(),
  onDrop: callback().optional(),
};

/** Every option `createEventClient` takes; the adapters pass exactly these on to it. */
export const CLIENT_OPTION_NAMES: readonly string[] = Object.keys(clientOptionsShape);

/** The client's options, for schemas that extend them (the adapters'). */
export const clientOptionsSchemaShape = clientOptionsShape;

const ADAPTER_HINT =
  ' of createEventClient (autoLog, ignore, user, brand and the like are options of the Express, Koa and Fastify adapters)';

const optionsSchema = strictObject(clientOptionsShape, ADAPTER_HINT);

/** An environment value, with where it came from for messages; blank counts as unset. */
function sourced(option: unknown, env: string | undefined, variable: string): Sourced {
  if (option !== undefined) return { value: option, source: 'option' };
  if (env !== undefined && env.trim() !== '') return { value: env, source: `from ${variable}` };
  return { value: undefined, source: env === undefined ? 'option' : `${variable} is blank` };
}

/** Checks options once, fills in defaults and the environment; throws a `ConfigError` naming the option. */
export function resolveOptions(
  options: ClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedClientOptions {
  const given = readOptions(options, CLIENT_OPTION_NAMES, '');
  try {
    return resolveRead(given, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw withoutToken(error, given.token ?? env.AUTHENTIK_TOKEN);
  }
}

function parse(given: Record<string, unknown>): z.infer<typeof optionsSchema> {
  let parsed: ReturnType<typeof optionsSchema.safeParse>;
  try {
    parsed = optionsSchema.safeParse(given);
  } catch (error) {
    // A nested object whose getter throws (`retry: { get retries() { throw … } }`).
    throw new ConfigError('options', `cannot be read: ${String((error as Error)?.message)}`);
  }
  if (!parsed.success) throw configErrorOf(parsed.error);
  return parsed.data;
}

function resolveRead(
  given: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): ResolvedClientOptions {
  const o = parse(given);
  const token = sourced(given.token, env.AUTHENTIK_TOKEN, 'AUTHENTIK_TOKEN');
  const { baseUrl, endpoint } = resolveUrl(
    sourced(given.url, env.AUTHENTIK_URL, 'AUTHENTIK_URL'),
    o.allowInsecureHttp ?? false,
    token.value,
  );
  if (o.workerUrl !== undefined && o.delivery === 'in-process') {
    throw new ConfigError(
      'workerUrl',
      "has no use with delivery: 'in-process', which starts no worker; leave one of them out",
    );
  }
  if (o.concurrency !== undefined && o.maxConcurrency !== undefined) {
    throw new ConfigError(
      'maxConcurrency',
      'cannot be set together with concurrency: concurrency is a fixed limit on requests in flight, maxConcurrency the ceiling of the adaptive one; keep one of them',
    );
  }
  const retries = o.retry?.retries ?? 8;
  const minDelayMs = o.retry?.minDelayMs ?? 500;
  const maxDelayMs = Math.max(o.retry?.maxDelayMs ?? 30_000, minDelayMs);
  const redact =
    o.redact === false
      ? false
      : {
          keys: (o.redact === true ? undefined : o.redact?.keys) ?? [],
          except: (o.redact === true ? undefined : o.redact?.except) ?? [],
        };

  return {
    baseUrl,
    endpoint,
    token: resolveToken(token),
    app: resolveApp(sourced(given.app, env.AUTHENTIK_APP, 'AUTHENTIK_APP')),
    // A batch larger than the queue could never form; clamp it, as OpenTelemetry's BatchSpanProcessor does.
    batchSize: Math.min(o.batchSize ?? 50, o.maxQueueSize ?? 10_000),
    flushIntervalMs: o.flushIntervalMs ?? 1000,
    concurrency: o.concurrency,
    maxConcurrency: o.concurrency ?? o.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    maxQueueSize: o.maxQueueSize ?? 10_000,
    maxQueueBytes: o.maxQueueBytes ?? 16 * 1024 * 1024,
    overflow: o.overflow ?? 'drop-newest',
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    delivery: o.delivery ?? 'background',
    workerUrl: o.workerUrl,
    retry: { retries, minDelayMs, maxDelayMs, maxRetryTimeMs: o.retry?.maxRetryTimeMs ?? 600_000 },
    maxEventBytes: o.maxEventBytes ?? 64 * 1024,
    redact,
    ca: resolveCa(o.ca),
    beforeSend: o.beforeSend as ClientOptions['beforeSend'],
    onError: o.onError as ClientOptions['onError'],
    onDrop: o.onDrop as ClientOptions['onDrop'],
  };
}

export { MAX_TIMER_MS };
