import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError, describeError } from './errors.js';

/**
 * Node's timers hold a delay in a signed 32-bit integer: a longer one fires after 1 ms (with a
 * TimeoutOverflowWarning), so a day-long timeout would become an immediate one.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration that ends up in a timer: a whole number of ms, at most {@link MAX_TIMER_MS}. */
export function milliseconds(min: 0 | 1 = 1) {
  return z
    .number()
    .int()
    .min(min)
    .max(MAX_TIMER_MS, {
      error: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days): Node's timers fire at once beyond that`,
    });
}

/** A function the library calls (never a class, which cannot be called without `new`). */
export function callback() {
  return z.custom<(...args: never[]) => unknown>(
    (value) => typeof value === 'function' && !isClass(value),
    {
      error: (issue) =>
        isClass(issue.input) ? 'must be a function, not a class' : 'must be a function',
    },
  );
}

const FILE_HINT =
  "new URL('./delivery-worker.js', import.meta.url), or path.join(__dirname, 'delivery-worker.js') in CommonJS";

/**
 * A file the library loads (the delivery worker), as a `file:` URL or an absolute path; becomes
 * a `file:` URL. A relative path is refused: it would depend on the working directory the app
 * happens to be started from, not on where the file was built.
 */
export function fileLocation() {
  return z.unknown().transform((value, context): URL => {
    const refuse = (message: string) => {
      context.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    let url: URL | undefined;
    if (value instanceof URL) url = value;
    else if (typeof value !== 'string' || value.trim() === '')
      return refuse(`must be a file: URL or an absolute path, e.g. ${FILE_HINT}`);
    else if (value.includes('\0')) return refuse('must not contain a NUL character');
    // A scheme of two letters or more (`C:\…` is a Windows path, not a URL).
    else if (/^[a-z][a-z0-9+.-]+:/i.test(value)) {
      try {
        url = new URL(value);
      } catch {
        return refuse(
          `is not a valid URL; give a file: URL or an absolute path, e.g. ${FILE_HINT}`,
        );
      }
    } else if (!isAbsolute(value))
      return refuse(
        `must be an absolute path (a relative one would depend on the directory the app is started from), e.g. ${FILE_HINT}`,
      );
    else url = pathToFileURL(value);
    if (url.protocol !== 'file:')
      return refuse(
        `must be a file: URL or an absolute path, not a ${url.protocol} URL: a worker thread starts from a file`,
      );
    try {
      fileURLToPath(url);
    } catch (error) {
      return refuse(`is not a file this system can open: ${describeError(error)}`);
    }
    if (url.pathname.endsWith('/')) return refuse('must name a file, not a directory');
    // A copy: the app's URL object could be changed after the options were checked.
    return new URL(url.href);
  });
}

function isClass(value: unknown): boolean {
  if (typeof value !== 'function') return false;
  try {
    return /^class[\s{]/.test(Function.prototype.toString.call(value));
  } catch {
    return false;
  }
}

/** Names often written for an option that has another name here. */
const ALIASES: Record<string, string> = {
  baseurl: 'url',
  endpoint: 'url',
  host: 'url',
  apitoken: 'token',
  apikey: 'token',
  key: 'token',
  application: 'app',
  appname: 'app',
  timeout: 'requestTimeoutMs',
  timeoutms: 'requestTimeoutMs',
  retries: 'retry.retries',
  maxretries: 'retry.retries',
  ttl: 'ttlMs',
  enabled: 'autoLog',
};

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The known name `unknown` most likely stands for (case-insensitive), if one is close. */
export function closestName(unknown: string, known: readonly string[]): string | undefined {
  const typed = unknown.toLowerCase();
  if (typed.length > 64) return undefined;
  const alias = ALIASES[typed];
  if (alias !== undefined && known.includes(alias.split('.', 1)[0] as string)) return alias;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const candidate = name.toLowerCase();
    const prefix =
      typed.length >= 3 && (candidate.startsWith(typed) || typed.startsWith(candidate));
    const distance = prefix ? 1 : editDistance(typed, candidate);
    const allowed = typed.length <= 4 ? 1 : typed.length <= 8 ? 2 : 3;
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** A key as it can safely appear in a message: short, printable. */
export function printableKey(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 60 ? `${printable.slice(0, 60)}…` : printable;
}

const UNKNOWN_KEY = 'is not an option';
const MEANT = '\u0000meant:';

/**
 * An object schema that refuses keys it does not know: a typo (`autolog`, `concurency`) would
 * otherwise leave the default in place without a word.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, hint = '') {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const meant = closestName(String(issue.keys[0]), known);
      // The suggestion is completed with the object's path by configErrorOf.
      return meant === undefined ? `${UNKNOWN_KEY}${hint}` : `${UNKNOWN_KEY}${MEANT}${meant}`;
    },
  });
}

type Issue = z.core.$ZodIssue;

/**
 * For a value no branch of a union accepts (`userLookup: { ttlMs: -1 }`), the issue of the
 * branch that got furthest: the one whose type matched and whose problem is deeper inside
 * (`userLookup.ttlMs`). When every branch failed on the type, the union's own message.
 */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const first = branch.find((each) => each.code === 'unrecognized_keys') ?? branch[0];
    if (first === undefined) continue;
    // This branch is of another type altogether (a boolean where an object came).
    const otherType =
      first.path.length === 0 &&
      (first.code === 'invalid_type' || first.code === 'invalid_value' || first.code === 'custom');
    if (!otherType && (!best || first.path.length > best.path.length)) best = first;
  }
  if (best === undefined) return issue;
  return deepestIssue({ ...best, path: [...issue.path, ...best.path] } as Issue);
}

/** The first problem zod found, as a `ConfigError` naming the option (`retry.maxDelayMs`). */
export function configErrorOf(error: z.ZodError): ConfigError {
  const issues = error.issues;
  // A misspelt name explains the rest (`autolog: false` is no boolean problem), so it goes first.
  const first = issues.find((each) => each.code === 'unrecognized_keys') ?? issues[0];
  if (first === undefined) return new ConfigError('options', 'is invalid');
  const issue = deepestIssue(first);
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') path.push(printableKey(String(issue.keys[0])));
  const option = path.join('.') || 'options';
  if (!issue.message.startsWith(UNKNOWN_KEY)) {
    return new ConfigError(option, `is invalid: ${issue.message}`);
  }
  const [message, meant] = issue.message.split(MEANT);
  if (meant === undefined) return new ConfigError(option, message as string);
  const parent = issue.path.map(String).join('.');
  const full = parent === '' || meant.includes('.') ? meant : `${parent}.${meant}`;
  return new ConfigError(option, `${message}; did you mean "${full}"?`);
}

/**
 * A plain copy of an options object, read once: a getter that throws becomes a `ConfigError`
 * naming the option, and a Proxy or an object changed later cannot make what was checked
 * differ from what is used. Own enumerable keys, and the known names also when inherited.
 */
export function readOptions(
  options: unknown,
  known: readonly string[],
  what: string,
): Record<string, unknown> {
  if (options === undefined) return Object.create(null);
  let names: string[];
  try {
    // Array.isArray throws for a revoked Proxy.
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ConfigError('options', `${what}must be an object`);
    }
    // Inherited known names count (an options class with getters), but never from
    // Object.prototype: a polluted `Object.prototype.url` must not redirect the token.
    const inherited = known.filter(
      (name) => name in options && !Object.hasOwn(Object.prototype, name),
    );
    names = [...new Set([...Object.keys(options), ...inherited])];
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('options', `${what}cannot be read: ${describeError(error)}`);
  }
  // No prototype: an option left out reads as undefined, whatever Object.prototype holds.
  const copy: Record<string, unknown> = Object.create(null);
  for (const name of names) {
    let value: unknown;
    try {
      value = (options as Record<string, unknown>)[name];
    } catch (error) {
      throw new ConfigError(printableKey(name), `cannot be read: ${describeError(error)}`);
    }
    // An explicit `undefined` is an option left out (as `{ ...defaults, url: process.env.X }` makes).
    if (value !== undefined) copy[name] = value;
  }
  return copy;
}

/** A message that quotes what it was given (an option's name) can never quote the token. */
export function withoutToken(error: ConfigError, token: unknown): ConfigError {
  if (typeof token !== 'string' || token.length < 4 || !error.message.includes(token)) return error;
  const prefix = `@authentik-events: option "${error.option}" `;
  const message = error.message.slice(prefix.length).replaceAll(token, '[token]');
  return new ConfigError(error.option.replaceAll(token, '[token]'), message);
}
