import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The marketplace install (issue 5, item 7): npm pack → a fresh Strapi app → admin build → start.
// Minutes of npm install and an admin build: its own script, `npm run test:pack`.
export default defineConfig({
  root: path.resolve(__dirname, '..', '..'),
  test: {
    pool: 'threads',
    include: ['tests/pack/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120000,
    hookTimeout: 1800000,
  },
});
