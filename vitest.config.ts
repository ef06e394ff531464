import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/dev-tools-setup.ts'],
    // After vitest's own summary: every skipped test, counted and grouped by its reason (test/skip-report.ts).
    reporters: ['default', './test/skip-report.ts'],
    // Integration tests run real builds (postject alone is seconds); unit tests finish far below this.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Builds are CPU- and memory-heavy on 2 cores: run test files one at a time.
    fileParallelism: false,
    // The app runs on Node 22, where WebAssembly relaxed SIMD (src/archive/frame-checksums.c) is on by
    // default; an older host Node needs the flag, or the tests would run the JS fallback instead.
    execArgv: Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [],
  },
});
