import type { IncomingHttpHeaders } from 'node:http';
import { authenticate } from './authenticate.js';
import { containsNul, mayContainNul } from './contains-nul.js';
import { expectedDictionary, MSG } from './drf-messages.js';
import type { EventStore } from './event-store.js';
import { SERVER_ERROR_HTML } from './html-pages.js';
import { checkMediaType, type Parsed } from './parse-json.js';
import { pythonTypeName } from './python-repr.js';
import { htmlReply, jsonReply, type Reply } from './respond.js';
import type { TokenState } from './types.js';
import { validateEvent } from './validate-event.js';

export interface CreateContext {
  tokens: ReadonlyMap<string, TokenState>;
  store: EventStore;
  warn(message: string): void;
}

/**
 * What authentik does with one POST to the events endpoint once the request got through the
 * proxies: authenticate, parse, validate, store. Checked in DRF's order: authentication and
 * permission before the body is looked at, the media type before JSON parsing.
 */
export function createEvent(
  ctx: CreateContext,
  headers: IncomingHttpHeaders,
  body: string,
  parsed: () => Parsed,
): Reply {
  const denied = authenticate(headers.authorization, ctx.tokens);
  if (denied) return jsonReply(403, { detail: denied });
  let data: unknown = {};
  // DRF does not run a parser for an empty body: it validates an empty dict.
  if (body.length > 0) {
    const unsupported = checkMediaType(headers['content-type']);
    if (unsupported) return jsonReply(415, { detail: unsupported });
    const result = parsed();
    if (!result.ok) return jsonReply(400, { detail: result.message });
    data = result.value;
  }
  if (data === null) return jsonReply(400, { non_field_errors: [MSG.noData] });
  if (typeof data !== 'object' || Array.isArray(data)) {
    return jsonReply(400, { non_field_errors: [expectedDictionary(pythonTypeName(data, body))] });
  }
  const validation = validateEvent(data as Record<string, unknown>);
  if (!validation.ok) return jsonReply(400, validation.errors);
  const { event } = validation;
  if (
    mayContainNul(body) &&
    (containsNul(event.user) || containsNul(event.context) || containsNul(event.brand))
  ) {
    ctx.warn('500: a NUL character inside user, context or brand (PostgreSQL refuses it)');
    return htmlReply(500, SERVER_ERROR_HTML);
  }
  return jsonReply(201, ctx.store.add(event, Date.now()));
}
