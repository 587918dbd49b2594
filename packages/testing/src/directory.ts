import { createHash, randomUUID } from 'node:crypto';
import { paginate } from './paginate.js';
import type { Reply } from './respond.js';
import type { FakeBrand, FakeUser } from './types.js';

/** Brands and users as authentik's BrandSerializer and UserSerializer print them. */
export interface Directory {
  brands: Record<string, unknown>[];
  users: Record<string, unknown>[];
}

const DEFAULT_BRANDS: FakeBrand[] = [{ domain: 'authentik-default', default: true }];
const DEFAULT_USERS: FakeUser[] = [
  { pk: 1, username: 'akadmin', name: 'authentik Default Admin', email: 'admin@example.com' },
];

export function createDirectory(brands?: FakeBrand[], users?: FakeUser[]): Directory {
  return {
    brands: (brands ?? DEFAULT_BRANDS).map(brandRecord),
    users: (users ?? DEFAULT_USERS).map(userRecord),
  };
}

function brandRecord(brand: FakeBrand): Record<string, unknown> {
  return {
    brand_uuid: brand.brand_uuid ?? randomUUID(),
    domain: brand.domain,
    default: brand.default ?? false,
    branding_title: brand.branding_title ?? 'authentik',
    branding_logo: '/static/dist/assets/icons/icon_left_brand.svg',
    branding_favicon: '/static/dist/assets/icons/icon.png',
    branding_custom_css: '',
    branding_default_flow_background: '/static/dist/assets/images/flow_background.jpg',
    flow_authentication: null,
    flow_invalidation: null,
    flow_recovery: null,
    flow_unenrollment: null,
    flow_user_settings: null,
    flow_device_code: null,
    default_application: null,
    web_certificate: null,
    client_certificates: [],
    attributes: brand.attributes ?? {},
  };
}

function userRecord(user: FakeUser, index: number): Record<string, unknown> {
  const pk = user.pk ?? index + 1;
  const uuid = randomUUID();
  return {
    pk,
    username: user.username,
    name: user.name ?? user.username,
    is_active: user.is_active ?? true,
    last_login: null,
    is_superuser: false,
    groups: [],
    groups_obj: [],
    email: user.email ?? '',
    avatar: '',
    attributes: user.attributes ?? {},
    // authentik's uid is a hash of the user; any stable opaque hex will do here.
    uid: createHash('sha256').update(uuid).digest('hex'),
    path: 'users',
    type: 'internal',
    uuid,
  };
}

/** GET /api/v3/core/brands/ with the `domain` and `default` filters. */
export function listBrands(directory: Directory, query: URLSearchParams): Reply {
  const domain = query.get('domain');
  const isDefault = query.get('default');
  const brands = directory.brands.filter(
    (b) =>
      (!domain || b.domain === domain) &&
      (!isDefault || String(b.default) === isDefault.toLowerCase()),
  );
  return paginate(brands, query);
}

/** GET /api/v3/core/users/ with the exact `username` and `email` filters. */
export function listUsers(directory: Directory, query: URLSearchParams): Reply {
  const username = query.get('username');
  const email = query.get('email');
  const users = directory.users.filter(
    (u) => (!username || u.username === username) && (!email || u.email === email),
  );
  return paginate(users, query);
}
