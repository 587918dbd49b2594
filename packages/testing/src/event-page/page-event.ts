import type { StoredEvent } from '../types.js';

/** Longest event, as JSON, that the page is sent whole. */
export const MAX_PAGE_EVENT_CHARS = 64 * 1024;
/** Longest user or brand kept beside a context too long to show. */
const MAX_PART_CHARS = 4 * 1024;
/** The key of the note that stands in for what is not shown. */
export const NOT_SHOWN = '[event page]';

function note(chars: number): Record<string, string> {
  return {
    [NOT_SHOWN]: `${chars} characters, too long to show here: read it from fake.events or GET /api/v3/events/events/<pk>/`,
  };
}

function bounded(part: Record<string, unknown>): Record<string, unknown> {
  const chars = JSON.stringify(part).length;
  return chars <= MAX_PART_CHARS ? part : note(chars);
}

/**
 * The event as the page is sent it, as one line of JSON (JSON.stringify never writes a raw line
 * break, so one event is one `data:` line of the stream). An event can be as large as the
 * fake's body limit (32 MiB); one that long is sent with a note in place of its context, so a
 * browser tab is never sent megabytes for one row.
 */
export function pageEventJson(event: StoredEvent): string {
  const json = JSON.stringify(event);
  if (json.length <= MAX_PAGE_EVENT_CHARS) return json;
  return JSON.stringify({
    ...event,
    user: bounded(event.user),
    brand: bounded(event.brand),
    context: note(JSON.stringify(event.context).length),
  });
}
