import { LRUCache } from 'lru-cache';
import type { AuthentikApi } from '../authentik-api.js';
import { AuthentikEventsError } from '../errors.js';
import { ReadRefused } from '../read-gate.js';
import type { AuthentikBrand } from '../types.js';
import { BrandDirectory, brandForEvent, brandFromHost } from './brand-match.js';
import { BRANDS_PATH, brandPageFrom, USERS_PATH, userPkFrom } from './lookup-answers.js';
import type { ResolvedLookupOptions } from './lookup-options.js';

export type { LookupOptions } from './lookup-options.js';

/** Where a lookup tells what went wrong; the recorder turns these into one report per episode. */
export interface LookupReports {
  /** A read failed (authentik unreachable, refused, too slow, too large, of the wrong shape). */
  failed(error: unknown): void;
  /** A read succeeded: the next failure starts a new episode. */
  succeeded(): void;
  /** A lookup was not made: too many are running and waiting; its events go on without it. */
  busy(): void;
}

/** A value either known now (no I/O) or on its way. */
export type Lookup<T> = T | Promise<T>;

const NOT_FOUND = Symbol('not found');

/**
 * authentik's User is Django's AbstractUser (authentik/core/models.py): `username` is a
 * varchar(150), and PostgreSQL text cannot hold NUL. A name that breaks either cannot be an
 * authentik user, so it is not looked up: no request for an empty, huge or NUL-bearing name
 * (all of them an attacker can type into a login form).
 */
const MAX_USERNAME_LENGTH = 150;
function couldBeAuthentikUsername(name: string): boolean {
  if (name === '' || name.length > MAX_USERNAME_LENGTH * 2 || name.includes('\0')) return false;
  return name.length <= MAX_USERNAME_LENGTH || [...name].length <= MAX_USERNAME_LENGTH;
}

/** A read that was not a failure of authentik: refused (busy, closed) or aborted by the cache. */
function notAFailure(error: unknown, signal: AbortSignal, reports: LookupReports): boolean {
  if (error instanceof ReadRefused) {
    if (error.reason === 'busy') reports.busy();
    return true;
  }
  return signal.aborted;
}

/**
 * Resolves usernames to authentik user pks through `GET /api/v3/core/users/?username=`.
 * lru-cache makes concurrent lookups of one name a single request, bounds the cache, expires
 * entries, and aborts the request of an entry it evicts. A name authentik does not know, and a
 * failed read, are remembered for `failureTtlMs`, so a flood of failed logins does not become
 * a flood of reads. The API client bounds how many reads run and wait; beyond that a lookup is
 * skipped, not queued.
 */
export class UserPkLookup {
  private readonly cache: LRUCache<string, number | string | typeof NOT_FOUND>;
  /** Names being read now: a lookup of one of them joins the read, even when every read slot is taken. */
  private readonly reading = new Set<string>();

  constructor(
    private readonly api: AuthentikApi,
    options: ResolvedLookupOptions,
    private readonly reports: LookupReports,
  ) {
    this.cache = new LRUCache({
      max: options.max,
      ttl: options.ttlMs,
      fetchMethod: async (username, _stale, { signal, options: fetchOptions }) => {
        this.reading.add(username);
        try {
          const page = await api.get(USERS_PATH, { username }, { signal });
          const pk = userPkFrom(page, username);
          reports.succeeded();
          if (pk !== undefined) return pk;
        } catch (error) {
          // Not remembered: lru-cache drops an entry whose fetch rejects.
          if (notAFailure(error, signal, reports)) throw error;
          reports.failed(error);
        } finally {
          this.reading.delete(username);
        }
        fetchOptions.ttl = options.failureTtlMs;
        return NOT_FOUND;
      },
    });
  }

  /** The pk if known now (no I/O), else a promise of it; `undefined` when there is none. */
  resolve(username: string): Lookup<number | string | undefined> {
    if (!couldBeAuthentikUsername(username)) return undefined;
    const cached = this.cache.get(username);
    if (cached !== undefined) return cached === NOT_FOUND ? undefined : cached;
    if (!this.reading.has(username) && this.api.full) {
      this.reports.busy();
      return undefined;
    }
    return this.cache.fetch(username).then(
      (value) => (value === NOT_FOUND ? undefined : (value ?? undefined)),
      () => undefined,
    );
  }
}

/**
 * Pages of 100 (authentik's largest). 200 pages are 20,000 brands, more than any install has;
 * the bound stops a list whose pagination never ends.
 */
const BRAND_PAGE_SIZE = 100;
export const MAX_BRAND_PAGES = 200;
/** Host names longer than DNS allows are matched, but not remembered (the Host header is the client's). */
const MAX_CACHED_HOST_LENGTH = 253;

/**
 * Resolves a request's host to authentik's brand, reading the brand list once per TTL (every
 * page of it, with one deadline for all) and matching like authentik. When the list cannot be
 * read, a brand built from the host is used and the failure is reported (by the caller, once).
 */
export class BrandLookup {
  private readonly lists: LRUCache<'brands', BrandDirectory | typeof NOT_FOUND>;
  private readonly byHost: LRUCache<string, AuthentikBrand>;
  private listReading = false;

  constructor(
    private readonly api: AuthentikApi,
    options: ResolvedLookupOptions,
    private readonly reports: LookupReports,
  ) {
    this.byHost = new LRUCache({ max: options.max, ttl: options.ttlMs });
    this.lists = new LRUCache({
      max: 1,
      ttl: options.ttlMs,
      fetchMethod: async (_key, _stale, { signal, options: fetchOptions }) => {
        this.listReading = true;
        try {
          const directory = new BrandDirectory(await this.readList(signal));
          reports.succeeded();
          return directory;
        } catch (error) {
          if (notAFailure(error, signal, reports)) throw error;
          reports.failed(error);
          fetchOptions.ttl = options.failureTtlMs;
          return NOT_FOUND;
        } finally {
          this.listReading = false;
        }
      },
    });
  }

  resolve(host: string): Lookup<AuthentikBrand> {
    const cached = this.byHost.get(host);
    if (cached) return cached;
    const list = this.lists.get('brands');
    if (list !== undefined) return this.brandFor(list, host);
    if (!this.listReading && this.api.full) {
      this.reports.busy();
      return brandFromHost(host);
    }
    return this.lists.fetch('brands').then(
      (directory) => this.brandFor(directory ?? NOT_FOUND, host),
      () => brandFromHost(host),
    );
  }

  private brandFor(list: BrandDirectory | typeof NOT_FOUND, host: string): AuthentikBrand {
    if (list === NOT_FOUND) return brandFromHost(host);
    const match = list.match(host);
    const brand = match ? brandForEvent(match) : brandFromHost(host);
    if (host.length <= MAX_CACHED_HOST_LENGTH) this.byHost.set(host, brand);
    return brand;
  }

  /** Every page of the list, within one read's deadline for them all. */
  private async readList(signal: AbortSignal) {
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        deadline.abort(new Error('timeout'));
      },
      Math.min(this.api.timeoutMs, 2 ** 31 - 1),
    );
    timer.unref();
    const abort = () => deadline.abort(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    try {
      const brands = [];
      for (let page = 1; page !== 0; ) {
        if (page > MAX_BRAND_PAGES)
          throw new AuthentikEventsError(
            'ERR_AUTHENTIK_EVENTS_LOOKUP',
            `GET /${BRANDS_PATH} has more than ${MAX_BRAND_PAGES} pages of ${BRAND_PAGE_SIZE} brands`,
          );
        const body = await this.api.get(
          BRANDS_PATH,
          { page_size: String(BRAND_PAGE_SIZE), page: String(page) },
          { signal: deadline.signal },
        );
        const read = brandPageFrom(body, page);
        brands.push(...read.brands);
        page = read.next;
      }
      return brands;
    } catch (error) {
      if (timedOut && !signal.aborted)
        throw new AuthentikEventsError(
          'ERR_AUTHENTIK_EVENTS_LOOKUP',
          `GET /${BRANDS_PATH}: the list was not read within ${this.api.timeoutMs} ms`,
        );
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    }
  }
}
