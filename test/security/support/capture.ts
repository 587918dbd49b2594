import { inspect } from 'node:util';

/**
 * Every way an error or a value could end up as text in a log: String(), message, stack, the
 * cause chain, JSON.stringify and util.inspect with hidden properties. A leak in any of them is
 * a leak, so all are kept for searching.
 */
export function renderings(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined || seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  const attempt = (render: () => unknown) => {
    try {
      const text = render();
      if (typeof text === 'string') out.push(text);
    } catch {
      // A value that cannot be rendered one way is still rendered the others.
    }
  };
  attempt(() => String(value));
  attempt(() => JSON.stringify(value));
  attempt(() => inspect(value, { depth: 8, showHidden: true, getters: true }));
  if (value instanceof Error) {
    out.push(value.message, value.stack ?? '');
    attempt(() =>
      JSON.stringify(
        Object.getOwnPropertyNames(value).map((key) => [key, String(Reflect.get(value, key))]),
      ),
    );
    out.push(...renderings(value.cause, seen));
    if (value instanceof AggregateError)
      for (const inner of value.errors) out.push(...renderings(inner, seen));
  }
  return out;
}

/** The strings among `texts` that contain the secret, or any long enough piece of it. */
export function leaks(texts: readonly string[], secret: string): string[] {
  const pieces = [secret, secret.slice(0, secret.length / 2), secret.slice(secret.length / 2)];
  return texts.filter((text) => pieces.some((piece) => text.includes(piece)));
}
