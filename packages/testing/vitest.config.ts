import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets and a few timing tests: keep the defaults generous but bounded.
    testTimeout: 15_000,
  },
});
