import { LRUCache } from 'lru-cache';
import type { AuthentikReader } from '../api-reader.js';
import type { AuthentikBrand } from '../types.js';
import { brandForEvent, brandFromHost, type ListedBrand, matchBrand } from './brand-match.js';

export interface LookupOptions {
  /** How long a found value is reused. @default 300000 */
  ttlMs?: number;
  /** How long a failed lookup is remembered before it is tried again. @default 30000 */
  failureTtlMs?: number;
  /** Most entries cached. @default 1000 */
  max?: number;
}

interface Page<T> {
  results: T[];
  pagination?: { next?: number | null };
}

const NOT_FOUND = Symbol('not found');

/**
 * Resolves usernames to authentik user pks through `GET /api/v3/core/users/`. lru-cache makes
 * concurrent lookups of one key a single request, bounds the cache, and expires entries;
 * failures are cached briefly so a broken lookup is not retried on every request.
 */
export class UserPkLookup {
  private readonly cache: LRUCache<string, number | string | typeof NOT_FOUND>;

  constructor(
    reader: AuthentikReader,
    options: LookupOptions,
    onFailure: (error: unknown) => void,
  ) {
    const failureTtl = options.failureTtlMs ?? 30_000;
    this.cache = new LRUCache({
      max: options.max ?? 1000,
      ttl: options.ttlMs ?? 300_000,
      fetchMethod: async (username, _stale, { options: fetchOptions }) => {
        try {
          const page = await reader.get<Page<{ pk: number; username: string }>>(
            'api/v3/core/users/',
            { username },
          );
          const found = page.results.find((user) => user.username === username);
          if (found) return found.pk;
        } catch (error) {
          onFailure(error);
        }
        fetchOptions.ttl = failureTtl;
        return NOT_FOUND;
      },
    });
  }

  /** The pk if cached (sync, no I/O), else a promise of it; `undefined` when unknown. */
  resolve(username: string): number | string | undefined | Promise<number | string | undefined> {
    const cached = this.cache.get(username);
    if (cached !== undefined) return cached === NOT_FOUND ? undefined : cached;
    return this.cache
      .fetch(username)
      .then((value) => (value === NOT_FOUND ? undefined : (value ?? undefined)));
  }
}

/**
 * Resolves a request's host to authentik's brand, reading the brand list once per TTL (the
 * list is small and changes rarely) and matching like authentik. When the list cannot be read,
 * a brand built from the host is used and the failure is reported (by the caller, once).
 */
export class BrandLookup {
  private readonly lists: LRUCache<'brands', ListedBrand[] | typeof NOT_FOUND>;
  private readonly byHost: LRUCache<string, AuthentikBrand>;

  constructor(
    reader: AuthentikReader,
    options: LookupOptions,
    onFailure: (error: unknown) => void,
  ) {
    const failureTtl = options.failureTtlMs ?? 30_000;
    const ttl = options.ttlMs ?? 300_000;
    this.byHost = new LRUCache({ max: options.max ?? 1000, ttl });
    this.lists = new LRUCache({
      max: 1,
      ttl,
      fetchMethod: async (_key, _stale, { options: fetchOptions }) => {
        try {
          const page = await reader.get<Page<ListedBrand>>('api/v3/core/brands/', {
            page_size: '100',
          });
          return page.results;
        } catch (error) {
          onFailure(error);
          fetchOptions.ttl = failureTtl;
          return NOT_FOUND;
        }
      },
    });
  }

  resolve(host: string): AuthentikBrand | Promise<AuthentikBrand> {
    const cached = this.byHost.get(host);
    if (cached) return cached;
    return this.lists.fetch('brands').then((brands) => {
      if (brands === NOT_FOUND || brands === undefined) return brandFromHost(host);
      const match = matchBrand(brands, host);
      const brand = match ? brandForEvent(match) : brandFromHost(host);
      this.byHost.set(host, brand);
      return brand;
    });
  }
}
