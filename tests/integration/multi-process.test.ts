import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestDatabase, databaseClient, type TestDatabase } from '../helpers/database';
import { startAppProcess, type AppProcess } from '../helpers/process';
import { codeAt, enrolTotp, pendingLogin, registerUser, type HttpApp } from '../helpers/flows';

/**
 * Two host-app processes on one database, requests alternating between them: the exactly-once
 * rules and the lockout counter live in the database, not in a process (docs/security.md T3, B3, J3,
 * R1). PostgreSQL unless the run is on MySQL/MariaDB; SQLite is one file of one process.
 */
const client = databaseClient() === 'mysql' ? 'mysql' : 'postgres';
let database: TestDatabase;
let a: AppProcess;
let b: AppProcess;

beforeAll(async () => {
  const saved = process.env.DATABASE_CLIENT;
  process.env.DATABASE_CLIENT = client;
  try {
    database = await createTestDatabase();
  } finally {
    if (saved === undefined) delete process.env.DATABASE_CLIENT;
    else process.env.DATABASE_CLIENT = saved;
  }
  // One after the other: the first start creates the tables.
  a = await startAppProcess(database.env);
  b = await startAppProcess(database.env);
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
});

const servers = () => [a, b];
const alternate = <T>(count: number, send: (server: HttpApp, i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: count }, (_, i) => send(servers()[i % 2], i)));

describe(`two processes on one ${client} database`, () => {
  it('the two processes are really two servers', () => {
    expect(a.url).not.toBe(b.url);
  });

  it('one TOTP code gives exactly one JWT across both processes', async () => {
    const user = await registerUser(a);
    const { secret } = await enrolTotp(b, user);
    const tokens = await alternate(12, (server) => pendingLogin(server, user));
    const code = codeAt(secret);
    const results = await alternate(12, (server, i) => server.http().post('/api/two-factor/verify').send({ mfaToken: tokens[i], code }));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.jwt)).toHaveLength(1);
  });

  it('one backup code gives exactly one JWT across both processes', async () => {
    const user = await registerUser(b);
    const { backupCodes } = await enrolTotp(a, user);
    const tokens = await alternate(12, (server) => pendingLogin(server, user));
    const results = await alternate(12, (server, i) =>
      server.http().post('/api/two-factor/verify').send({ mfaToken: tokens[i], code: backupCodes[0] })
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const status = await a.http().get('/api/two-factor/status').set('Authorization', `Bearer ${user.jwt}`);
    expect(status.body.backupCodesRemaining).toBe(9);
  });

  it('one pending token mints exactly one JWT across both processes', async () => {
    const user = await registerUser(a);
    const { backupCodes } = await enrolTotp(a, user);
    const mfaToken = await pendingLogin(b, user);
    const results = await alternate(10, (server, i) =>
      server.http().post('/api/two-factor/verify').send({ mfaToken, code: backupCodes[i] })
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(9);
  });

  it('the lockout counter is one and exact: 30 parallel wrong codes → 10 counted, then locked on both', async () => {
    const user = await registerUser(b);
    const { secret } = await enrolTotp(b, user);
    const tokens = await alternate(30, (server) => pendingLogin(server, user));
    const results = await alternate(30, (server, i) =>
      server.http().post('/api/two-factor/verify').send({ mfaToken: tokens[i], code: '000000' })
    );
    expect(results.filter((r) => r.status === 400)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(20);
    // Locked on both processes, even for the right code, with Retry-After.
    for (const server of servers()) {
      const res = await server.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(server, user), code: codeAt(secret) });
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });
});
