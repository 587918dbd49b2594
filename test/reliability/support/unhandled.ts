import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

/**
 * Collects unhandled rejections while the file's tests run and fails a test after which any
 * appeared: the client must never leave one behind (Node's default ends the process on it).
 */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  beforeEach(() => {
    unhandled.length = 0;
  });
  afterEach(async () => {
    // Rejections are reported a turn or two after they happen.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
}
