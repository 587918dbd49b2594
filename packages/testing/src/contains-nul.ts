/**
 * PostgreSQL refuses U+0000 inside jsonb, so authentik answers 500 when one reaches the
 * database inside user, context or brand (keys included). JSON can only carry a NUL as the
 * escape \u0000, so the raw body is searched first and the object walk is only done when the
 * escape (or something that looks like it) is present: the common path costs one indexOf.
 */
export function mayContainNul(rawBody: string): boolean {
  return rawBody.includes('\\u0000');
}

export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(containsNul);
  for (const key in value) {
    if (key.includes('\0') || containsNul((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
