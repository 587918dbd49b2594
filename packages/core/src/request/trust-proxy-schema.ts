import { z } from 'zod';
import { callback } from '../option-schema.js';
import { compileTrustProxy, parseRange, rangeEntries, type TrustProxyFn } from './trust-proxy.js';

const FORMS =
  'must be true, false, a hop count, an address or subnet ("10.0.0.0/8", "loopback"), a list of them, or a function (address, hop) => boolean';

/** Why an entry of a list setting is no address, subnet or named range, if it is not. */
function entryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'string') return 'must be a string: an address, a subnet or a named range';
  for (const range of rangeEntries([entry])) {
    const parsed = parseRange(range);
    if (typeof parsed === 'string')
      return `${parsed}; got ${JSON.stringify(entry.trim().slice(0, 60))}`;
  }
  return undefined;
}

/**
 * `trustProxy`, for adapters whose framework has no trust-proxy setting of its own (Hono):
 * checked once, in the forms Express and Fastify take, and compiled into a function. Checked
 * by hand rather than as a zod union, so that the error says what is wrong with the form the
 * app chose (the entry of a list, the hop count) instead of listing every form.
 */
export const trustProxySchema = z.unknown().transform((setting, context): TrustProxyFn => {
  const fail = (message: string, path: number[] = []) => {
    context.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  };
  if (typeof setting === 'boolean') return compileTrustProxy(setting);
  if (typeof setting === 'number') {
    if (!Number.isSafeInteger(setting) || setting < 0)
      return fail(`must be a hop count, a whole number of 0 or more; got ${setting}`);
    return compileTrustProxy(setting);
  }
  if (typeof setting === 'string') {
    for (const entry of setting.split(',')) {
      const problem = entryProblem(entry);
      if (problem !== undefined) return fail(problem);
    }
    return compileTrustProxy(setting);
  }
  if (Array.isArray(setting)) {
    for (const [index, entry] of setting.entries()) {
      const problem = entryProblem(entry);
      if (problem !== undefined) return fail(problem, [index]);
    }
    return compileTrustProxy(setting as string[]);
  }
  if (typeof setting === 'function') {
    const checked = callback().safeParse(setting);
    if (!checked.success) return fail(checked.error.issues[0]?.message ?? FORMS);
    return compileTrustProxy(setting as TrustProxyFn);
  }
  return fail(FORMS);
});
