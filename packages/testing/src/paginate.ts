import { MSG } from './drf-messages.js';
import { jsonReply, type Reply } from './respond.js';

/** authentik's PAGE_SIZE and the most a client may ask for with page_size. */
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 100;

export interface Pagination {
  next: number;
  previous: number;
  count: number;
  current: number;
  total_pages: number;
  start_index: number;
  end_index: number;
}

/** DRF's _positive_int(strict=True): anything but a positive integer means "use the default". */
function pageSize(raw: string | null): number {
  if (raw === null || !/^\d+$/.test(raw)) return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  return size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

/**
 * authentik's Pagination (authentik/api/pagination.py) over Django's Paginator: `next` and
 * `previous` are page numbers, 0 when there is none; an empty list still has one page; a page
 * out of range or not a number is 404 "Invalid page.".
 */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  extra?: Record<string, unknown>,
): Reply {
  const size = pageSize(query.get('page_size'));
  const totalPages = Math.max(1, Math.ceil(items.length / size));
  const rawPage = query.get('page') ?? '1';
  const asNumber = rawPage === 'last' ? totalPages : Number(rawPage);
  if (rawPage.trim() === '' || !Number.isInteger(asNumber) || asNumber < 1) {
    return jsonReply(404, { detail: MSG.invalidPage });
  }
  if (asNumber > totalPages) return jsonReply(404, { detail: MSG.invalidPage });
  const start = (asNumber - 1) * size;
  const results = items.slice(start, start + size);
  const pagination: Pagination = {
    next: asNumber < totalPages ? asNumber + 1 : 0,
    previous: asNumber > 1 ? asNumber - 1 : 0,
    count: items.length,
    current: asNumber,
    total_pages: totalPages,
    start_index: items.length === 0 ? 0 : start + 1,
    end_index: asNumber === totalPages ? items.length : start + size,
  };
  return jsonReply(200, { pagination, results, ...extra });
}
