import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // esbuild reads experimentalDecorators from tsconfig.json and compiles Nest's decorators as
  // TypeScript does; the constructors name their tokens with @Inject, so no design-time types
  // are needed (esbuild cannot emit them, and test/package checks DI in the built files).
  tsconfig: 'tsconfig.json',
});
