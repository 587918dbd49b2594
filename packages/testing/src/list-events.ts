import { invalidMultipleChoice } from './drf-messages.js';
import { isEventAction } from './event-actions.js';
import { paginate } from './paginate.js';
import { jsonReply, type Reply } from './respond.js';
import type { StoredEvent } from './types.js';

type Filter = (event: StoredEvent) => boolean;

const obj = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/**
 * GET /api/v3/events/events/: authentik's EventsFilter over the stored events, newest first,
 * paginated. `search` (authentik's query language) is not implemented and is ignored.
 */
export function listEvents(events: readonly StoredEvent[], query: URLSearchParams): Reply {
  const actions = query.getAll('actions');
  const badAction = actions.find((a) => !isEventAction(a));
  if (badAction !== undefined) {
    return jsonReply(400, { actions: [invalidMultipleChoice(badAction)] });
  }
  const filters = buildFilters(query, actions);
  const matches: StoredEvent[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as StoredEvent;
    if (filters.every((f) => f(event))) matches.push(event);
  }
  sortByOrdering(matches, query.get('ordering'));
  return paginate(matches, query, { autocomplete: {} });
}

function buildFilters(query: URLSearchParams, actions: string[]): Filter[] {
  const filters: Filter[] = [];
  const add = (name: string, make: (value: string) => Filter) => {
    const value = query.get(name);
    // django-filter skips a filter whose value is empty.
    if (value !== null && value !== '') filters.push(make(value));
  };
  add('action', (v) => (e) => e.action.toLowerCase().includes(v.toLowerCase()));
  if (actions.length > 0) filters.push((e) => actions.includes(e.action));
  add('client_ip', (v) => (e) => e.client_ip === v);
  add('username', (v) => (e) => e.user.username === v || e.context.username === v);
  add('brand_name', (v) => (e) => e.brand.name === v);
  add('context_model_pk', (v) => {
    // authentik stores model pks as UUID hex, so dashes the client sends are removed.
    const hex = v.replace(/-/g, '');
    return (e) => {
      const pk = obj(e.context.model).pk;
      return pk === hex || (typeof pk === 'number' && String(pk) === hex);
    };
  });
  add('context_model_name', (v) => (e) => obj(e.context.model).model_name === v);
  add('context_model_app', (v) => (e) => obj(e.context.model).app === v);
  add('context_authorized_app', (v) => (e) => obj(e.context.authorized_application).pk === v);
  return filters;
}

const ORDERABLE = new Set(['pk', 'action', 'app', 'client_ip', 'created', 'expires']);

/** DRF's OrderingFilter for the scalar fields; an unknown field is ignored (default -created). */
function sortByOrdering(events: StoredEvent[], ordering: string | null): void {
  const first = ordering?.split(',')[0]?.trim() ?? '';
  const field = first.replace(/^-/, '');
  if (!ORDERABLE.has(field) || first === '-created') return;
  // The list is newest first already; reversing keeps events created in the same instant in
  // the order they arrived.
  if (first === 'created') {
    events.reverse();
    return;
  }
  const sign = first.startsWith('-') ? -1 : 1;
  const value = (e: StoredEvent) =>
    field === 'expires' ? Date.parse(e.expires) : String(e[field as keyof StoredEvent] ?? '');
  events.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}
