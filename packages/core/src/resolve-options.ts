import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import type { ClientOptions, ResolvedClientOptions } from './options.js';
import { resolveCa } from './transport/trusted-certificates.js';

const EVENTS_PATH = 'api/v3/events/events/';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const callback = z
  .custom<(...args: never[]) => unknown>(
    (value) => typeof value === 'function',
    'must be a function',
  )
  .optional();

// Numbers and shapes; url/token/app are checked by hand below for messages that say what to do.
const pem = z.union([z.string(), z.instanceof(Buffer)]);

const optionsSchema = z.object({
  allowInsecureHttp: z.boolean().optional(),
  ca: z.union([pem, z.array(pem)]).optional(),
  batchSize: positiveInt.optional(),
  flushIntervalMs: positiveInt.optional(),
  concurrency: positiveInt.max(256).optional(),
  maxQueueSize: positiveInt.optional(),
  maxQueueBytes: positiveInt.optional(),
  overflow: z.enum(['drop-newest', 'drop-oldest']).optional(),
  requestTimeoutMs: positiveInt.optional(),
  delivery: z.enum(['background', 'worker', 'in-process']).optional(),
  maxEventBytes: positiveInt.min(1024).optional(),
  retry: z
    .object({
      retries: nonNegativeInt.max(100).optional(),
      minDelayMs: nonNegativeInt.optional(),
      maxDelayMs: nonNegativeInt.optional(),
      maxRetryTimeMs: positiveInt.optional(),
    })
    .strict()
    .optional(),
  redact: z
    .union([
      z.boolean(),
      z
        .object({
          keys: z.array(z.string().min(1)).optional(),
          except: z.array(z.string()).optional(),
        })
        .strict(),
    ])
    .optional(),
  beforeSend: callback,
  onError: callback,
  onDrop: callback,
});

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function resolveUrl(
  raw: unknown,
  allowInsecureHttp: boolean,
  token: unknown,
): { baseUrl: URL; endpoint: URL } {
  if (raw === undefined || raw === '') {
    throw new ConfigError('url', "is missing: pass authentik's base URL or set AUTHENTIK_URL");
  }
  if (typeof raw !== 'string') throw new ConfigError('url', `must be a string, got ${typeof raw}`);
  let baseUrl: URL;
  try {
    baseUrl = new URL(raw);
  } catch {
    // Never echo the token, even when it landed in the url option (or AUTHENTIK_URL) by mistake,
    // also when url and token were swapped: a value without any of . : / is no host name, and
    // may well be a token (authentik's are letters and digits).
    const secret = typeof token === 'string' ? token.trim() : '';
    const mayBeToken = (secret !== '' && raw.includes(secret)) || !/[.:/]/.test(raw);
    const shown = mayBeToken ? '' : ` "${raw.slice(0, 200)}"`;
    throw new ConfigError('url', `is not a URL:${shown} (expected e.g. https://auth.example.com)`);
  }
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') {
    throw new ConfigError('url', `must be http: or https:, got "${baseUrl.protocol}"`);
  }
  if (baseUrl.username || baseUrl.password) {
    throw new ConfigError('url', 'must not contain credentials: pass the API token as "token"');
  }
  if (baseUrl.protocol === 'http:' && !allowInsecureHttp && !isLoopback(baseUrl.hostname)) {
    throw new ConfigError(
      'url',
      `is plain http: to "${baseUrl.hostname}", which would send the token in clear; use https:, or set allowInsecureHttp: true if the network is trusted`,
    );
  }
  // authentik answers 404 without the trailing slash, so the path is built here, once.
  const base = baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`;
  return { baseUrl, endpoint: new URL(EVENTS_PATH, base) };
}

function resolveToken(raw: unknown): string {
  if (raw === undefined || raw === '') {
    throw new ConfigError(
      'token',
      'is missing: pass an authentik API token with the permission authentik_events.add_event, or set AUTHENTIK_TOKEN',
    );
  }
  if (typeof raw !== 'string')
    throw new ConfigError('token', `must be a string, got ${typeof raw}`);
  // Never echo the token: say only what is wrong with it.
  if (raw.trim() !== raw || /[\s\r\n]/.test(raw)) {
    throw new ConfigError('token', 'contains whitespace or a line break; check how it was copied');
  }
  return raw;
}

function resolveApp(raw: unknown): string {
  if (raw === undefined) {
    throw new ConfigError('app', 'is missing: name your application, or set AUTHENTIK_APP');
  }
  if (typeof raw !== 'string' || raw.trim() === '' || raw.includes('\u0000')) {
    throw new ConfigError(
      'app',
      'must be a non-blank string without NUL characters (authentik refuses it otherwise)',
    );
  }
  return raw;
}

function describeIssue(issue: z.core.$ZodIssue): ConfigError {
  const option = issue.path.join('.') || 'options';
  return new ConfigError(option, `is invalid: ${issue.message}`);
}

/** Checks options once, fills in defaults and the environment; throws a `ConfigError` naming the option. */
export function resolveOptions(
  options: ClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedClientOptions {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError('options', 'must be an object');
  }
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0] as z.core.$ZodIssue);
  const o = parsed.data;

  const { baseUrl, endpoint } = resolveUrl(
    options.url ?? env.AUTHENTIK_URL,
    o.allowInsecureHttp ?? false,
    options.token ?? env.AUTHENTIK_TOKEN,
  );
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
    token: resolveToken(options.token ?? env.AUTHENTIK_TOKEN),
    ca: resolveCa(o.ca),
    app: resolveApp(options.app ?? env.AUTHENTIK_APP),
    // A batch larger than the queue could never form; clamp it, as OpenTelemetry's BatchSpanProcessor does.
    batchSize: Math.min(o.batchSize ?? 50, o.maxQueueSize ?? 10_000),
    flushIntervalMs: o.flushIntervalMs ?? 1000,
    concurrency: o.concurrency ?? 4,
    maxQueueSize: o.maxQueueSize ?? 10_000,
    maxQueueBytes: o.maxQueueBytes ?? 16 * 1024 * 1024,
    overflow: o.overflow ?? 'drop-newest',
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    delivery: o.delivery ?? 'background',
    retry: { retries, minDelayMs, maxDelayMs, maxRetryTimeMs: o.retry?.maxRetryTimeMs ?? 600_000 },
    maxEventBytes: o.maxEventBytes ?? 64 * 1024,
    redact,
    beforeSend: options.beforeSend,
    onError: options.onError,
    onDrop: options.onDrop,
  };
}
