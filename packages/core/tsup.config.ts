import { defineConfig } from 'tsup';

export default defineConfig({
  // The delivery worker is a file of its own: a worker thread is started from a path.
  entry: { index: 'src/index.ts', 'delivery-worker': 'src/transport/delivery-worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CJS build too: the client finds the worker file beside itself.
  shims: true,
});
