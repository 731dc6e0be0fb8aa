import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The machine has 2 cores; each worker holds its own PGlite (WebAssembly) instance.
    maxWorkers: 2,
  },
});
