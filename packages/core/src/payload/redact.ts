/**
 * Masking that mirrors authentik's own cleansing of event context (authentik/events/utils.py):
 * a key containing one of these fragments has its value replaced by 20 asterisks, except the
 * keys authentik lets through; dict values are descended into, list items are masked under
 * the list's key. authentik does NOT cleanse what arrives through the API, so it happens here.
 */
export const REDACTED = '********************';

const DEFAULT_FRAGMENTS = ['API', 'AUTH', 'TOKEN', 'KEY', 'SECRET', 'PASS', 'SIGNATURE', 'COOKIE'];
const DEFAULT_EXCEPTIONS = /passing|password_change_date|^auth_method(_args)?$/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Above this many fragments, one alternation per key check costs too much (see below). */
const MOST_FRAGMENTS_IN_ONE_PATTERN = 256;
/** Keys longer than this are checked every time, never cached: the cache must stay small. */
const LONGEST_CACHED_KEY = 256;
const CACHE_SIZE = 4096;

/** Whether a text contains one of the fragments, case-insensitively. */
type FragmentTest = (key: string) => boolean;

/**
 * A few fragments: one case-insensitive alternation. Many (a long `redact.keys` list): the
 * regular expression tries every fragment at every position (100 000 fragments took 9 ms per
 * key), so the fragments are grouped by length and each window of the key is looked up in a
 * set, a cost per character that grows with the number of distinct lengths only.
 */
function fragmentTest(fragments: readonly string[]): FragmentTest {
  if (fragments.length <= MOST_FRAGMENTS_IN_ONE_PATTERN) {
    const pattern = new RegExp(fragments.map(escapeRegExp).join('|'), 'i');
    return (key) => pattern.test(key);
  }
  const byLength = new Map<number, Set<string>>();
  for (const fragment of fragments) {
    const lower = fragment.toLowerCase();
    // An empty fragment would match every key, as it does in the alternation.
    if (lower.length === 0) return () => true;
    const set = byLength.get(lower.length) ?? new Set<string>();
    byLength.set(lower.length, set);
    set.add(lower);
  }
  const groups = [...byLength].sort(([a], [b]) => a - b);
  return (key) => {
    const lower = key.toLowerCase();
    for (const [length, set] of groups) {
      for (let start = 0; start + length <= lower.length; start++) {
        if (set.has(lower.slice(start, start + length))) return true;
      }
    }
    return false;
  };
}

/** Decides, per key, whether its (non-object) value is masked. Results are cached per key. */
export class Redactor {
  private readonly sensitive: FragmentTest;
  private readonly except: ReadonlySet<string>;
  private readonly cache = new Map<string, boolean>();

  constructor(extraKeys: readonly string[] = [], except: readonly string[] = []) {
    this.sensitive = fragmentTest([...DEFAULT_FRAGMENTS, ...extraKeys]);
    this.except = new Set(except.map((key) => key.toLowerCase()));
  }

  isSensitive(key: string): boolean {
    let verdict = this.cache.get(key);
    if (verdict === undefined) {
      verdict =
        this.sensitive(key) && !DEFAULT_EXCEPTIONS.test(key) && !this.except.has(key.toLowerCase());
      // Keys come from app code and query strings: the cache is bounded in count and holds
      // short keys only, or hostile keys of a megabyte each would stay in memory for good.
      if (this.cache.size < CACHE_SIZE && key.length <= LONGEST_CACHED_KEY) {
        this.cache.set(key, verdict);
      }
    }
    return verdict;
  }
}
