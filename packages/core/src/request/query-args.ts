/**
 * The query string as an object, like authentik's `http_request.args`; a repeated key becomes
 * a list. Secrets in it (`?token=…`) are masked later with the rest of the context.
 */
export function queryArgs(url: string): Record<string, string | string[]> | undefined {
  const mark = url.indexOf('?');
  if (mark === -1 || mark === url.length - 1) return undefined;
  const args: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(url.slice(mark + 1))) {
    if (key === '__proto__') continue;
    // Own keys only: `?constructor=a` must not find Object's constructor as an earlier value.
    // (A prototype-less object would do too, but V8 keeps those in slow dictionary mode.)
    const existing = Object.hasOwn(args, key) ? args[key] : undefined;
    if (existing === undefined) args[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else args[key] = [existing, value];
  }
  return args;
}

/** The path without the query string. */
export function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}
