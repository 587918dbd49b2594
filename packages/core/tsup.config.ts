import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // p-retry (and its is-network-error) ship ESM only: required from the CJS build, esbuild's
  // interop hands over the module namespace instead of the default export ("pRetry is not a
  // function"). Bundling them keeps `require('@authentik-events/core')` working.
  noExternal: ['p-retry', 'is-network-error'],
});
