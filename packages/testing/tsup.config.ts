import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  // Types only for the library; the CLI is run, not imported.
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  // import.meta.url in the CommonJS build too: the event page's files are found beside dist/.
  shims: true,
  clean: true,
  target: 'node20',
});
