import { createRequire } from 'node:module';

/**
 * Loads an optional peer dependency (`@opentelemetry/api`, `prom-client`) synchronously, from
 * where this package is installed, the way a dependency of ours resolves; `undefined` when it
 * is not installed or fails to load. `createRequire` works in both builds: tsup gives the
 * CommonJS build an `import.meta.url` of its own file, and both peers ship CommonJS.
 */
export function loadOptionalPeer<T>(name: string): T | undefined {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch {
    return undefined;
  }
}
