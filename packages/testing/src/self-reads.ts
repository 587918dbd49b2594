import { authenticate } from './authenticate.js';
import type { Directory } from './directory.js';
import { MSG, methodNotAllowed } from './drf-messages.js';
import { jsonReply, type Reply } from './respond.js';
import type { TokenState } from './types.js';

export const ME_PATH = '/api/v3/core/users/me/';
export const VERSION_PATH = '/api/v3/admin/version/';

/** The release the fake answers `GET /api/v3/admin/version/` with unless told another. */
export const DEFAULT_VERSION = '2026.2.2';

export interface SelfReadContext {
  tokens: ReadonlyMap<string, TokenState>;
  directory: Directory;
  version: string;
}

/**
 * What any valid token may read about itself and the server, whatever its permissions
 * (authentik's UserViewSet.user_me and admin VersionView ask only for an authenticated user):
 * the token's user (the directory's first user here) and authentik's version.
 */
export function selfRead(
  ctx: SelfReadContext,
  method: string,
  authorization: string | undefined,
  path: string,
): Reply {
  const denied = authenticate(authorization, ctx.tokens);
  if (denied && denied !== MSG.noPermission) return jsonReply(403, { detail: denied });
  if (method !== 'GET' && method !== 'HEAD')
    return jsonReply(405, { detail: methodNotAllowed(method) });
  if (path === VERSION_PATH) {
    return jsonReply(200, {
      version_current: ctx.version,
      version_latest: ctx.version,
      version_latest_valid: true,
      build_hash: '',
      outdated: false,
      outpost_outdated: false,
    });
  }
  const user = ctx.directory.users[0] ?? {};
  // authentik's UserSelfSerializer, inside SessionUserSerializer's `user`.
  const { pk, username, name, is_active, is_superuser, email, avatar, uid, type } = user;
  return jsonReply(200, {
    user: {
      pk,
      username,
      name,
      is_active,
      is_superuser,
      groups: [],
      email,
      avatar,
      uid,
      settings: {},
      type,
    },
  });
}
