// `npm run bench`: what the second factor costs, measured side by side (BENCHMARKS.md).
// Starts the host app tests/app as child processes (plugin on and plugin off, each on a fresh
// database; DATABASE_CLIENT=postgres for PostgreSQL) and drives them over loopback HTTP from
// this process. Prints one table; exits non-zero only when the bench could not run.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT, createDatabase, startServer } from './lib/app.mjs';
import { cheapTotpUsers, enrolTotp, registerUser, passwordLogin, PASSWORD } from './lib/flows.mjs';
import { pool } from './lib/http.mjs';
import { CodeBook } from './lib/totp.mjs';
import { printTable } from './lib/table.mjs';
import { statements } from './steps/statements.mjs';
import { overhead } from './steps/overhead.mjs';
import { fullLogin } from './steps/login.mjs';
import { verifyThroughput } from './steps/verify.mjs';
import { stepUp } from './steps/step-up.mjs';
import { passkeyVerify } from './steps/passkey-verify.mjs';
import { ORIGIN, RP_ID } from './lib/webauthn.mjs';
import { deviceLogin } from './steps/device-login.mjs';
import { memory } from './steps/memory.mjs';
import { lockout } from './steps/lockout.mjs';
import { startup } from './steps/startup.mjs';
import { codeVerify } from './steps/code-verify.mjs';
import { graphqlVerify } from './steps/graphql-verify.mjs';
import { startDelivery } from './lib/delivery.mjs';

const int = (name, fallback) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number`);
  return n;
};

// Every count can be changed from the environment; the defaults take ~10–12 minutes on 2 cores.
const cfg = {
  rounds: int('BENCH_ROUNDS', 3), // A/B pairs per figure, interleaved
  loginSeconds: int('BENCH_LOGIN_SECONDS', 5), // per round, figure 1
  loginConnections: int('BENCH_LOGIN_CONNECTIONS', 1),
  loginsPerRound: int('BENCH_LOGINS_PER_ROUND', 10), // figure 2
  realUsers: int('BENCH_REAL_USERS', 16), // 2FA users with a real (cost-10) password hash
  cheapUsers: int('BENCH_USERS', 1000), // 2FA users with a cost-4 hash, for figures 3, 5, 6
  connections: int('BENCH_CONNECTIONS', 10), // figure 3
  verifyAmount: int('BENCH_VERIFY_AMOUNT', 300), // verifies per round, figure 3
  meSeconds: int('BENCH_ME_SECONDS', 3),
  memoryWarmup: int('BENCH_MEMORY_WARMUP', 200),
  memoryLogins: int('BENCH_MEMORY_LOGINS', 2000), // the figure is 10 000 (BENCHMARKS.md)
  memoryConcurrency: int('BENCH_MEMORY_CONCURRENCY', 4),
  attackCodes: int('BENCH_ATTACK_CODES', 10000),
  attackConnections: int('BENCH_ATTACK_CONNECTIONS', 50),
  attackControl: int('BENCH_ATTACK_CONTROL', 1) > 0, // 0: skip the users/me flood (info row)
  probeLogins: int('BENCH_PROBE_LOGINS', 10),
  boots: int('BENCH_BOOTS', 4),
  bootsWithoutGraphql: int('BENCH_BOOTS_NO_GRAPHQL', 0) > 0, // 1: add the info row
  profile: process.env.BENCH_PROFILE === '1', // CPU profiles of the plugin server, per step
};

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, 'results');
const only = (process.env.BENCH_ONLY || 'statements,overhead,login,device-login,verify,step-up,passkey-verify,code-verify,graphql-verify,memory,lockout,startup').split(',');
const log = (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function setUp(ctx) {
  const databases = { on: await createDatabase(), off: await createDatabase() };
  ctx.cleanup.push(() => databases.on.drop(), () => databases.off.drop());
  // The plugin server mails and texts its codes to sinks in this process (bench/lib/delivery.mjs).
  ctx.delivery = await startDelivery();
  ctx.cleanup.push(() => ctx.delivery.close());
  log(`starting the host app with and without the plugin (${CLIENT})`);
  const [on, off] = await Promise.all([
    // The relying party of the passkey step (its software passkey signs for this RP ID and origin).
    startServer({
      database: databases.on,
      plugin: true,
      env: { TWO_FACTOR_PASSKEY_RP_ID: RP_ID, TWO_FACTOR_PASSKEY_ORIGINS: ORIGIN, ...ctx.delivery.env },
    }),
    startServer({ database: databases.off, plugin: false }),
  ]);
  ctx.cleanup.unshift(() => on.stop(), () => off.stop());
  ctx.servers = { on, off };
  // Every code step sends hundreds of codes from 127.0.0.1: no resend cooldown, room for them all.
  await on.configure('plugin::two-factor.sendLimits', { cooldown: 0, perAccount: { max: 1000, window: 3600 }, perIp: { max: 100000, window: 3600 } });

  for (const server of [on, off]) {
    const plain = await registerUser(server.url, 'plain');
    server.plainUser = plain.email;
    server.plainJwt = plain.jwt;
    await server.seed('cheapplain', 1, PASSWORD);
    server.cheapPlainUser = 'cheapplain0@bench.test';
  }
  // The same number of users on the server without the plugin: users-permissions looks a login
  // up by email or username, which no index covers, so the table size is part of every login.
  await off.durable(false);
  await off.seed('other', cfg.realUsers + cfg.cheapUsers, PASSWORD);
  await off.durable(true);
  log(`registering ${cfg.realUsers} 2FA users with real password hashes`);
  const real = await pool(cfg.realUsers, 2, async (i) => {
    const user = await registerUser(on.url, `real${i}`);
    return { email: user.email, ...(await enrolTotp(on.url, user.jwt)) };
  });
  ctx.realBook = new CodeBook(real);
  log(`seeding and enrolling ${cfg.cheapUsers} 2FA users with cheap password hashes`);
  await on.durable(false);
  ctx.cheapBook = new CodeBook(await cheapTotpUsers(on, 'cheap', cfg.cheapUsers));
  await on.durable(true);
}

async function main() {
  const ctx = { cfg, cleanup: [] };
  // BENCH_PROFILE=1: the plugin server's CPU profile of each measured window, in bench/results/profiles.
  ctx.profiled = async (name, fn) => {
    if (!cfg.profile) return fn();
    mkdirSync(path.join(resultsDir, 'profiles'), { recursive: true });
    const file = path.join(resultsDir, 'profiles', `${name}-${CLIENT}-${Date.now()}.cpuprofile`);
    log(`profiling ${name} → ${path.relative(process.cwd(), file)}`);
    return ctx.servers.on.profiled(file, fn);
  };
  const rows = [];
  const started = performance.now();
  try {
    const needsServers = only.some((step) => step !== 'startup');
    if (needsServers) await setUp(ctx);
    const steps = [
      ['statements', statements],
      ['overhead', overhead],
      ['login', fullLogin],
      ['device-login', deviceLogin],
      ['verify', verifyThroughput],
      ['step-up', stepUp],
      ['passkey-verify', passkeyVerify],
      ['code-verify', codeVerify],
      ['graphql-verify', graphqlVerify],
      ['memory', memory],
      ['lockout', lockout],
    ];
    for (const [name, step] of steps) {
      if (!only.includes(name)) continue;
      log(`measuring ${name}`);
      rows.push(...(await step(ctx)));
    }
  } finally {
    for (const fn of ctx.cleanup) await fn().catch((error) => log(`cleanup: ${error.message}`));
  }
  if (only.includes('startup')) {
    log('measuring startup (servers stopped)');
    rows.push(...(await startup(ctx)));
  }

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model?.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const minutes = (performance.now() - started) / 60000;
  printTable(rows, { database: CLIENT, machine, minutes });
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `bench-${CLIENT}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ database: CLIENT, machine, cfg, rows, minutes }, null, 2));
  log(`results written to ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  log(`could not run: ${error.stack || error.message}`);
  process.exit(1);
});
