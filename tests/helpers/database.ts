import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A fresh, empty database for one suite on the engine DATABASE_CLIENT names: a temporary SQLite
 * file, a new PostgreSQL schema in the `test` database, or a new MariaDB/MySQL database.
 * Returns the environment for the host app and a function that drops it again.
 */
export interface TestDatabase {
  client: 'sqlite' | 'postgres' | 'mysql';
  env: Record<string, string>;
  drop(): Promise<void>;
}

export const databaseClient = (): TestDatabase['client'] => {
  const client = process.env.DATABASE_CLIENT || 'sqlite';
  if (client !== 'sqlite' && client !== 'postgres' && client !== 'mysql') throw new Error(`Unknown DATABASE_CLIENT ${client}`);
  return client;
};

export async function createTestDatabase(name = `tf_${randomBytes(6).toString('hex')}`): Promise<TestDatabase> {
  const client = databaseClient();
  if (client === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'two-factor-db-'));
    return {
      client,
      env: { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: path.join(dir, 'data.db') },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (client === 'postgres') {
    const { Client } = await import('pg');
    const admin = () =>
      new Client({ host: process.env.DATABASE_HOST || '127.0.0.1', port: Number(process.env.DATABASE_PORT || 5432), user: process.env.DATABASE_USERNAME || 'postgres', database: process.env.DATABASE_NAME || 'test' });
    const c = admin();
    await c.connect();
    await c.query(`CREATE SCHEMA "${name}"`);
    await c.end();
    return {
      client,
      env: { DATABASE_CLIENT: 'postgres', DATABASE_SCHEMA: name },
      async drop() {
        const d = admin();
        await d.connect();
        await d.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
        await d.end();
      },
    };
  }
  const mysql = await import('mysql2/promise');
  const connect = () =>
    mysql.createConnection({ host: process.env.DATABASE_HOST || '127.0.0.1', port: Number(process.env.DATABASE_PORT || 3306), user: process.env.DATABASE_USERNAME || 'root', password: process.env.DATABASE_PASSWORD || '' });
  const c = await connect();
  await c.query(`CREATE DATABASE \`${name}\``);
  await c.end();
  return {
    client,
    env: { DATABASE_CLIENT: 'mysql', DATABASE_NAME: name },
    async drop() {
      const d = await connect();
      await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await d.end();
    },
  };
}
