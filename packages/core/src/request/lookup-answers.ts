import { AuthentikEventsError } from '../errors.js';
import type { ListedBrand } from './brand-match.js';

/**
 * What the users and brands lists must look like (authentik's UserSerializer and
 * BrandSerializer in a Pagination page, authentik/api/pagination.py). Anything else is a failed
 * lookup, never a value that reaches an event or a throw that reaches the app.
 */

function unexpected(path: string, what: string): AuthentikEventsError {
  return new AuthentikEventsError(
    'ERR_AUTHENTIK_EVENTS_LOOKUP',
    `GET ${path} answered with an unexpected shape: ${what}`,
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** An id fit for an event: authentik's pks are integers, or short strings (UUIDs, hashes). */
const MAX_PK_LENGTH = 64;
const isPk = (value: unknown): value is number | string =>
  Number.isSafeInteger(value) ||
  (typeof value === 'string' && value !== '' && value.length <= MAX_PK_LENGTH);

function resultsOf(page: unknown, path: string): Record<string, unknown>[] {
  if (!isObject(page) || !Array.isArray(page.results)) throw unexpected(path, 'no results list');
  if (!page.results.every(isObject)) throw unexpected(path, 'a result is not an object');
  return page.results;
}

export const USERS_PATH = 'api/v3/core/users/';
export const BRANDS_PATH = 'api/v3/core/brands/';

/** The pk of the user named exactly `username` in a page of `GET /api/v3/core/users/?username=`. */
export function userPkFrom(page: unknown, username: string): number | string | undefined {
  const users = resultsOf(page, `/${USERS_PATH}`);
  for (const user of users) {
    if (!isPk(user.pk) || typeof user.username !== 'string')
      throw unexpected(`/${USERS_PATH}`, 'a user without a pk or username');
  }
  return users.find((user) => user.username === username)?.pk as number | string | undefined;
}

export interface BrandPage {
  brands: ListedBrand[];
  /** The next page's number; 0 when this is the last. */
  next: number;
}

/** One page of `GET /api/v3/core/brands/`; `page` is the number asked for. */
export function brandPageFrom(body: unknown, page: number): BrandPage {
  const path = `/${BRANDS_PATH}`;
  const brands = resultsOf(body, path).map((brand) => {
    if (
      typeof brand.brand_uuid !== 'string' ||
      brand.brand_uuid.length > MAX_PK_LENGTH ||
      typeof brand.domain !== 'string' ||
      typeof brand.default !== 'boolean'
    )
      throw unexpected(path, 'a brand without brand_uuid, domain or default');
    return { brand_uuid: brand.brand_uuid, domain: brand.domain, default: brand.default };
  });
  const pagination = (body as { pagination?: unknown }).pagination;
  const next = isObject(pagination) ? pagination.next : undefined;
  if (next === undefined || next === null || next === 0) return { brands, next: 0 };
  // authentik's `next` is the following page number; anything else would make the reading loop.
  if (next !== page + 1)
    throw unexpected(path, `pagination.next is not ${page + 1} on page ${page}`);
  return { brands, next };
}
