import type { AuthentikApi } from '../authentik-api.js';
import { MAX_READS_WAITING, READ_SLOTS } from '../authentik-api.js';
import type { EventClient } from '../client.js';
import { DegradedError, describeError } from '../errors.js';
import type { LookupReports } from './lookups.js';

/**
 * Reports of one kind of lookup ('user', 'brand'), once per episode each: a failure until a
 * read succeeds again, skipped lookups until the API client has no read running or waiting. A
 * flood of failed logins is one warning, not thousands.
 */
export function lookupReports(
  client: EventClient,
  api: AuthentikApi,
  what: 'user' | 'brand',
): LookupReports {
  let failing = false;
  let busy = false;
  return {
    failed(error) {
      if (api.idle) busy = false;
      if (failing) return;
      failing = true;
      client.report(
        new DegradedError(
          'ERR_AUTHENTIK_EVENTS_LOOKUP',
          `${what} lookup failed (${describeError(error)}); events go on without it`,
        ),
      );
    },
    succeeded() {
      failing = false;
      if (api.idle) busy = false;
    },
    busy() {
      if (busy) return;
      busy = true;
      client.report(
        new DegradedError(
          'ERR_AUTHENTIK_EVENTS_LOOKUP_BUSY',
          `${what} lookups skipped: ${READ_SLOTS} reads of authentik's API are running and ${MAX_READS_WAITING} waiting; events go on without the lookup until fewer are waiting`,
        ),
      );
    },
  };
}
