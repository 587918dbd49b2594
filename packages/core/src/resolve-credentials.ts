import { ConfigError } from './errors.js';

/** An option's value and where it came from: `option`, or a phrase such as `from AUTHENTIK_URL`. */
export interface Sourced {
  value: unknown;
  source: string;
}

/** Where a value came from, for a message: nothing for an option, else `(from AUTHENTIK_URL)`. */
export function from(source: string): string {
  return source === 'option' ? '' : ` (${source})`;
}

/**
 * What must not be in a token: it travels in an HTTP header, where a control character (NUL,
 * CR, LF, DEL, C1) or a character beyond Latin-1 makes the request fail, or worse, ends up
 * printed in a log line. authentik's own tokens are letters and digits.
 */
function tokenProblem(token: string): string | undefined {
  if (/\s/.test(token)) return 'contains whitespace or a line break; check how it was copied';
  // Cc: the C0 controls (NUL, ESC, …), DEL and the C1 controls.
  if (/\p{Cc}/u.test(token)) {
    return 'contains a control character (such as NUL); check how it was copied';
  }
  if (/[^\u0021-\u007e]/.test(token)) {
    return 'contains a character that is not printable ASCII, which an HTTP header cannot carry';
  }
  return undefined;
}

export function resolveToken(token: Sourced): string {
  const raw = token.value;
  if (raw === undefined || raw === '') {
    throw new ConfigError(
      'token',
      `is ${raw === '' ? 'empty' : 'missing'}${from(token.source)}: pass an authentik API token with the permission authentik_events.add_event, or set AUTHENTIK_TOKEN`,
    );
  }
  if (typeof raw !== 'string')
    throw new ConfigError('token', `must be a string, got ${typeof raw}`);
  // Never echo the token: say only what is wrong with it.
  const problem = tokenProblem(raw);
  if (problem !== undefined) throw new ConfigError('token', `${problem}${from(token.source)}`);
  return raw;
}

export function resolveApp(app: Sourced): string {
  const raw = app.value;
  if (raw === undefined) {
    throw new ConfigError(
      'app',
      `is missing${from(app.source)}: name your application, or set AUTHENTIK_APP`,
    );
  }
  if (typeof raw !== 'string' || raw.trim() === '' || raw.includes('\u0000')) {
    throw new ConfigError(
      'app',
      `must be a non-blank string without NUL characters${from(app.source)} (authentik refuses it otherwise)`,
    );
  }
  return raw;
}
