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

/** Decides, per key, whether its (non-object) value is masked. Results are cached per key. */
export class Redactor {
  private readonly sensitive: RegExp;
  private readonly except: ReadonlySet<string>;
  private readonly cache = new Map<string, boolean>();

  constructor(extraKeys: readonly string[] = [], except: readonly string[] = []) {
    const fragments = [...DEFAULT_FRAGMENTS, ...extraKeys].map(escapeRegExp);
    this.sensitive = new RegExp(fragments.join('|'), 'i');
    this.except = new Set(except.map((key) => key.toLowerCase()));
  }

  isSensitive(key: string): boolean {
    let verdict = this.cache.get(key);
    if (verdict === undefined) {
      verdict =
        this.sensitive.test(key) &&
        !DEFAULT_EXCEPTIONS.test(key) &&
        !this.except.has(key.toLowerCase());
      // Keys come from app code and query strings; bound the cache so hostile keys cannot grow it.
      if (this.cache.size < 4096) this.cache.set(key, verdict);
    }
    return verdict;
  }
}
