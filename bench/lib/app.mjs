// Starting and stopping the host app as a child process, each on a database of its own.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(here, '..', 'server.mjs');
const require = createRequire(import.meta.url);

export const CLIENT = process.env.DATABASE_CLIENT || 'sqlite';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const pgAdmin = async (sql) => {
  const { Client } = require('pg');
  const client = new Client({
    host: process.env.DATABASE_HOST || '127.0.0.1',
    port: Number(process.env.DATABASE_PORT || 5432),
    user: process.env.DATABASE_USERNAME || 'postgres',
    database: process.env.DATABASE_NAME || 'test',
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

/** A fresh, empty database: a temporary SQLite file or a new PostgreSQL schema. */
export async function createDatabase() {
  if (CLIENT === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'two-factor-bench-'));
    return {
      env: { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: path.join(dir, 'data.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (CLIENT === 'postgres') {
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    await pgAdmin(`CREATE SCHEMA "${schema}"`);
    return {
      env: { DATABASE_CLIENT: 'postgres', DATABASE_SCHEMA: schema },
      drop: () => pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
    };
  }
  throw new Error(`The bench runs on sqlite or postgres, not "${CLIENT}"`);
}

const BASE_ENV = {
  NODE_ENV: 'production',
  STRAPI_TELEMETRY_DISABLED: 'true',
  USERS_PERMISSIONS_RATELIMIT: 'off',
  TWO_FACTOR_ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
  LOG_LEVEL: 'warn',
  BROWSER: 'none',
};

/**
 * Boots the host app in a child process on `database` and resolves once it listens.
 * `plugin: false` is the same app with the two-factor plugin switched off in config/plugins.js.
 * `nodeArgs` go to the child's node (e.g. --cpu-prof); `env` adds to the host app's environment.
 */
export async function startServer({ database, plugin = true, nodeArgs = [], env = {} }) {
  const port = await freePort();
  const started = performance.now();
  const child = fork(SERVER, [], {
    execArgv: ['--expose-gc', ...nodeArgs],
    env: {
      ...process.env,
      ...BASE_ENV,
      ...database.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      TWO_FACTOR_PLUGIN: plugin ? 'on' : 'off',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const next = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type === 'error') return reject(new Error(`server: ${message.message}`));
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      exited.then((code) => reject(new Error(`server exited (${code}) before "${type}":\n${stderr}`)));
    });

  const ready = await next('ready');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    /** Process start to listening, as the child saw it. */
    bootMs: ready.bootMs,
    /** Fork to "listening" message, as the parent saw it. */
    wallMs: performance.now() - started,
    async memory() {
      child.send({ type: 'memory' });
      return next('memory');
    },
    async seed(prefix, count, password) {
      child.send({ type: 'seed', prefix, count, password });
      await next('seeded');
    },
    /** Sets one key of the server's configuration (e.g. `plugin::two-factor.sendLimits`), as the tests do. */
    async configure(key, value) {
      child.send({ type: 'config', key, value });
      await next('config');
    },
    /** Changes the plugin's operator settings (the server with the plugin only). */
    async settings(patch) {
      child.send({ type: 'settings', patch });
      await next('settings');
    },
    /** SQLite only: `false` skips fsync while setting up, `true` restores the default. */
    async durable(on) {
      child.send({ type: 'durable', on });
      await next('durable');
    },
    /** Runs `fn` with the server's CPU profiler on and writes the profile to `file`. */
    async profiled(file, fn) {
      child.send({ type: 'profile' });
      await next('profile');
      try {
        return await fn();
      } finally {
        child.send({ type: 'profile', file });
        await next('profile');
      }
    },
    /** Reads, writes, commits and the statements of what `fn` runs on the server. */
    async tally(fn) {
      child.send({ type: 'tally', on: true });
      await next('tally');
      await fn();
      // Work the request left running after its answer (an audit write, a mail) counts too.
      await new Promise((resolve) => setTimeout(resolve, 150));
      child.send({ type: 'tally', on: false });
      return (await next('tally')).tally;
    },
    /** Statements run since the last call (the server must run with BENCH_SQL=1). */
    async sql() {
      child.send({ type: 'sql' });
      return (await next('sql')).stats;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    },
  };
}
