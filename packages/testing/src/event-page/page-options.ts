import { isLoopbackHost } from './host-check.js';

/** Most live pages the `maxPageClients` option may allow. */
const MAX_PAGE_CLIENTS = 1000;

export interface ResolvedPageOptions {
  enabled: boolean;
  maxClients: number;
}

/**
 * Whether the page is served, and to how many live tabs. On by default only on a loopback
 * address: the page needs no token, so bound to a network it would show every event to anyone
 * who can reach the port, unless asked for with `page: true`.
 */
export function resolvePageOptions(
  host: string,
  page: unknown,
  maxPageClients: unknown,
  defaultMaxClients: number,
): ResolvedPageOptions {
  if (page !== undefined && typeof page !== 'boolean') {
    throw new TypeError(
      `startFakeAuthentik: option "page" must be true or false, got ${typeof page}`,
    );
  }
  if (
    maxPageClients !== undefined &&
    !(
      Number.isInteger(maxPageClients) &&
      (maxPageClients as number) >= 1 &&
      (maxPageClients as number) <= MAX_PAGE_CLIENTS
    )
  ) {
    throw new TypeError(
      `startFakeAuthentik: option "maxPageClients" must be a whole number from 1 to ${MAX_PAGE_CLIENTS}, got ${String(maxPageClients)}`,
    );
  }
  return {
    enabled: page ?? isLoopbackHost(host),
    maxClients: (maxPageClients as number | undefined) ?? defaultMaxClients,
  };
}
