// The host app (tests/app) as a server process of its own, so the load generator never shares
// its event loop. Forked by bench/lib/app.mjs; talks to the parent over IPC:
//   → { type: 'ready', bootMs }            once it listens (ms since this process started)
//   ← { type: 'memory' }                   → { type: 'memory', rss, heapUsed } (after a full GC)
//   ← { type: 'seed', prefix, count }      → { type: 'seeded' } users with a cheap password hash
//   ← { type: 'config', key, value }       → { type: 'config' } sets strapi.config `key` (as the tests do)
//   ← { type: 'durable', on }              → { type: 'durable' } SQLite synchronous FULL (on) or OFF
//   ← { type: 'profile', file }            → { type: 'profile' } starts the CPU profiler, or with
//                                            `file` stops it and writes the .cpuprofile there
//   ← { type: 'sql' }                      → { type: 'sql', stats } statements run since the last
//                                            call, by text, with time (BENCH_SQL=1 only)
//   ← { type: 'tally', on }                → { type: 'tally', tally } on: counts from now; off:
//                                            the reads, writes, commits and statements since
//   ← { type: 'stop' }                     destroys Strapi and exits
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'app');
const require = createRequire(path.join(appDir, 'package.json'));
const { createStrapi } = require('@strapi/strapi');

const strapi = await createStrapi({ appDir, distDir: appDir, autoReload: false, serveAdminPanel: false }).load();
await strapi.listen();
process.send({ type: 'ready', bootMs: performance.now() });

// Statements by text with their time (BENCH_SQL=1 from the start, to find what to cut), and a
// tally of reads, writes and commits (switched on by the statements step around each request).
let watching = process.env.BENCH_SQL === '1';
let sqlStats = new Map();
const emptyTally = () => ({ reads: 0, writes: 0, commits: 0, transactions: 0, statements: [] });
let tally = emptyTally();
{
  const started = new Map();
  // Connections (knex's __knexUid) inside a transaction. knex leaves __knexTxId on a pooled
  // connection after its transaction ends, so that cannot tell a later autocommitted write.
  const open = new Set();
  const knex = strapi.db.connection;
  knex.on('query', (q) => {
    const sql = q.sql.trim();
    if (/^(begin|start transaction)/i.test(sql)) open.add(q.__knexUid);
    else if (/^(commit|rollback)\b/i.test(sql)) open.delete(q.__knexUid);
    if (!watching) return;
    started.set(q.__knexQueryUid, performance.now());
    if (/^(begin|start transaction)/i.test(sql)) tally.transactions += 1;
    else if (/^commit/i.test(sql)) tally.commits += 1;
    else if (/^(rollback|savepoint|release)/i.test(sql)) tally.statements.push(sql);
    else {
      tally.statements.push(sql);
      if (/^(select|pragma|show)/i.test(sql)) tally.reads += 1;
      else {
        tally.writes += 1;
        // A write outside a transaction commits on its own.
        if (!open.has(q.__knexUid)) tally.commits += 1;
      }
    }
  });
  const done = (q) => {
    const t = started.get(q.__knexQueryUid);
    if (t === undefined) return;
    started.delete(q.__knexQueryUid);
    const entry = sqlStats.get(q.sql) || { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += performance.now() - t;
    sqlStats.set(q.sql, entry);
  };
  knex.on('query-response', (_r, q) => done(q));
  knex.on('query-error', (_e, q) => done(q));
}

/**
 * Users created straight in the database with a bcrypt cost-4 hash of the bench password. Only
 * the steps that need thousands of logins use them (verify throughput, memory): bcrypt is not
 * what those steps measure, and at cost 10 ten thousand logins would take this machine minutes.
 */
const seed = async ({ prefix, count, password }) => {
  const bcrypt = require('bcryptjs');
  const hash = await bcrypt.hash(password, 4);
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  // One by one: the role is a relation, which createMany does not write.
  for (let i = 0; i < count; i += 1) {
    await strapi.db.query('plugin::users-permissions.user').create({
      data: {
        username: `${prefix}${i}`,
        email: `${prefix}${i}@bench.test`,
        provider: 'local',
        password: hash,
        confirmed: true,
        blocked: false,
        role: role.id,
      },
    });
  }
};

// The same V8 profiler as `node --cpu-prof`, limited to the window a step measures.
let session = null;
const profile = async (file) => {
  if (!file) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return;
  }
  const { profile: result } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(result));
  session.disconnect();
  session = null;
};

// The bench process gone (even killed): no server left behind.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message) => {
  try {
    if (message.type === 'memory') {
      global.gc?.();
      global.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send({ type: 'memory', rss, heapUsed });
    } else if (message.type === 'seed') {
      await seed(message);
      process.send({ type: 'seeded' });
    } else if (message.type === 'durable') {
      // Set-up only (thousands of users to enrol): every measured step runs with it back on.
      if (strapi.db.dialect.client === 'sqlite') {
        await strapi.db.connection.raw(`PRAGMA synchronous = ${message.on ? 'FULL' : 'OFF'}`);
      }
      process.send({ type: 'durable' });
    } else if (message.type === 'config') {
      strapi.config.set(message.key, message.value);
      process.send({ type: 'config' });
    } else if (message.type === 'settings') {
      // Operator settings, as the admin panel saves them (validated, stored, seen by every process).
      const settings = strapi.plugin('two-factor').service('settings');
      const current = await settings.get();
      await settings.update({ ...current, ...message.patch, methods: { ...current.methods, ...(message.patch.methods || {}) } });
      process.send({ type: 'settings' });
    } else if (message.type === 'profile') {
      await profile(message.file);
      process.send({ type: 'profile' });
    } else if (message.type === 'tally') {
      // `on`: starts a fresh tally; off: answers the tally since then.
      const result = tally;
      tally = emptyTally();
      if (message.on) watching = true;
      else watching = process.env.BENCH_SQL === '1';
      process.send({ type: 'tally', tally: message.on ? null : result });
    } else if (message.type === 'sql') {
      process.send({ type: 'sql', stats: [...sqlStats].map(([sql, v]) => ({ sql, ...v })) });
      sqlStats = new Map();
    } else if (message.type === 'stop') {
      await strapi.destroy();
      process.exit(0);
    }
  } catch (error) {
    process.send({ type: 'error', message: error.stack || String(error) });
  }
});
