import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The browser suite: needs Debian chromium and the host app's admin build
// (`npm run test:e2e` builds it first). One Strapi per process: threads, one file at a time.
export default defineConfig({
  root: path.resolve(__dirname, '..', '..'),
  test: {
    pool: 'threads',
    include: ['tests/e2e/**/*.e2e.test.ts'],
    fileParallelism: false,
    testTimeout: 120000,
    hookTimeout: 180000,
  },
});
