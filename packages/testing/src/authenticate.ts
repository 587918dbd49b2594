import { MSG } from './drf-messages.js';
import type { TokenState } from './types.js';

/**
 * authentik's TokenAuthentication (authentik/api/authentication.py) followed by the permission
 * check. Returns the 403 detail, or undefined when the request may proceed. authentik answers
 * every failure here with 403 and never 401, because its authenticator sends no
 * WWW-Authenticate challenge.
 */
export function authenticate(
  header: string | undefined,
  tokens: ReadonlyMap<string, TokenState>,
): string | undefined {
  const raw = header?.trim() ?? '';
  // No header, or one without a space (nothing after the scheme): as if none was sent.
  const space = raw.indexOf(' ');
  if (space === -1) return MSG.notProvided;
  if (raw.slice(0, space).toLowerCase() !== 'bearer') return MSG.unsupportedScheme;
  const state = tokens.get(raw.slice(space + 1));
  if (state === undefined || state === 'expired') return MSG.tokenInvalid;
  if (state === 'no_permission') return MSG.noPermission;
  return undefined;
}
