import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Integration tests run real builds (postject alone is seconds); unit tests finish far below this.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Builds are CPU- and memory-heavy on 2 cores: run test files one at a time.
    fileParallelism: false,
  },
});
