import path from 'node:path';
import request from 'supertest';
import { expect } from 'vitest';
import { createRequire } from 'node:module';
import type { Core } from '@strapi/strapi';
import { createTestDatabase, type TestDatabase } from './database';
import { LogBook, keepLogs } from './logs';

export const APP_DIR = path.resolve(__dirname, '..', 'app');
// Strapi is CommonJS-first: load it the way the host app does, not through Vite's ESM graph.
const { createStrapi } = createRequire(path.join(APP_DIR, 'package.json'))('@strapi/strapi') as typeof import('@strapi/strapi');

export interface TestApp {
  strapi: Core.Strapi;
  db: TestDatabase;
  http: () => ReturnType<typeof request>;
  /** What the app logged (nothing reaches the console): declare expected lines with `logs.expect`. */
  logs: LogBook;
  stop(): Promise<void>;
}

/**
 * Boots the host app tests/app in this process on a fresh database and mounts its HTTP server.
 * `env` adds or overrides environment variables for this boot (restored on stop). A `database` from
 * an earlier boot (started with `keepDatabase`) boots the app again on the same data.
 * `serveAdminPanel` serves the built admin panel (tests/app/build, from `strapi build`) for browser tests.
 * What the app logs goes to `logs` (a LogBook, new unless given), not to the console.
 */
export async function startApp(
  env: Record<string, string | undefined> = {},
  options: { database?: TestDatabase; keepDatabase?: boolean; serveAdminPanel?: boolean; logs?: LogBook } = {}
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase());
  const vars: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    STRAPI_TELEMETRY_DISABLED: 'true',
    USERS_PERMISSIONS_RATELIMIT: 'off',
    TWO_FACTOR_ENCRYPTION_KEY: 'test-encryption-key-0123456789abcdef',
    BROWSER: 'none',
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    ...db.env,
    ...env,
  };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const logs = options.logs ?? new LogBook();
  // MySQL/MariaDB commit a transaction implicitly at each DDL statement; knex warns once per table
  // Strapi's schema sync creates inside one (Strapi's own start-up, not the plugin's doing).
  if (db.client === 'mysql') logs.allow(/^knex: Transaction was implicitly committed/);
  const instance = createStrapi({ appDir: APP_DIR, distDir: APP_DIR, autoReload: false, serveAdminPanel: options.serveAdminPanel ?? false });
  keepLogs(instance, logs);
  const strapi = await instance.load();
  strapi.server.mount();
  const server = strapi.server.httpServer;
  return {
    strapi,
    db,
    http: () => request(server),
    logs,
    async stop() {
      await strapi.destroy();
      if (!options.keepDatabase) await db.drop();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      logs.settle(`The host app (${path.basename(expect.getState().testPath ?? 'test')})`);
    },
  };
}
