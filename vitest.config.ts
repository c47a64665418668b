import { defineConfig } from 'vitest/config';

// Strapi keeps one instance per process (global.strapi): integration suites run one file at a
// time in threads (the forks pool exits 1 after strapi.destroy()).
export default defineConfig({
  test: {
    pool: 'threads',
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60000,
    hookTimeout: 120000,
    // One line per file; a test gets a line of its own only when it takes 10 s or more.
    slowTestThreshold: 10000,
  },
});
