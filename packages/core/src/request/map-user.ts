import type { AuthentikUser } from '../types.js';

function pick(source: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

const PK_KEYS = ['pk', 'id', 'sub'] as const;
const USERNAME_KEYS = ['username', 'preferred_username'] as const;

/**
 * The conventional user objects of the ecosystem (passport's `req.user`, `ctx.state.user`,
 * @fastify/jwt's `request.user`, OIDC claims) in authentik's event shape `{pk, username,
 * email}`. Only those fields are copied: a user record often carries a password hash.
 */
export function toAuthentikUser(raw: unknown): AuthentikUser | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const source = raw as Record<string, unknown>;
  const user: AuthentikUser = {};
  const pk = pick(source, PK_KEYS);
  if (typeof pk === 'number' || typeof pk === 'string') user.pk = pk;
  const username = pick(source, USERNAME_KEYS);
  if (typeof username === 'string') user.username = username;
  const email = source.email;
  if (typeof email === 'string' && email !== '') user.email = email;
  if (source.is_anonymous === true) user.is_anonymous = true;
  return user.pk === undefined && user.username === undefined && user.email === undefined
    ? undefined
    : user;
}
