import type { AdapterOptions } from './adapter-options.js';

/**
 * A RegExp as a stateless test: with the `g` or `y` flag, `test()` starts at `lastIndex` and
 * moves it, so the same path would be ignored on one request and recorded on the next. A copy
 * without those flags also keeps the app's own RegExp (and its `lastIndex`) untouched.
 */
function stateless(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

/**
 * The `ignore` option as one predicate on the path. Exact paths are a Set lookup; prefixes
 * (`'/static/*'`) are looked up by length, so that a list of thousands costs a request a few
 * Set lookups, not a scan of the list.
 */
export function compileIgnore<R>(
  ignore: AdapterOptions<R>['ignore'],
): ((path: string, request: R) => boolean) | undefined {
  if (ignore === undefined) return undefined;
  if (typeof ignore === 'function') return ignore;
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  const patterns: RegExp[] = [];
  for (const entry of ignore) {
    if (entry instanceof RegExp) patterns.push(stateless(entry));
    else if (entry.endsWith('*')) prefixes.add(entry.slice(0, -1));
    else exact.add(entry);
  }
  if (exact.size + prefixes.size + patterns.length === 0) return undefined;
  const prefixLengths = [...new Set([...prefixes].map((prefix) => prefix.length))];
  return (path) => {
    if (exact.has(path)) return true;
    for (const length of prefixLengths) {
      if (length <= path.length && prefixes.has(path.slice(0, length))) return true;
    }
    return patterns.some((pattern) => pattern.test(path));
  };
}
