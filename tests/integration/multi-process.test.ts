import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestDatabase, databaseClient, type TestDatabase } from '../helpers/database';
import { startAppProcess, type AppProcess } from '../helpers/process';
import { codeAt, enrolTotp, pendingLogin, registerUser, PASSWORD, type HttpApp } from '../helpers/flows';
import { adminToken } from '../helpers/admin';

/**
 * Two host-app processes on one database, requests alternating between them: the exactly-once
 * rules and the lockout counter live in the database, not in a process (docs/security.md T3, B3, J3,
 * R1). PostgreSQL unless the run is on MySQL/MariaDB; SQLite is one file of one process.
 */
const client = databaseClient() === 'mysql' ? 'mysql' : 'postgres';
const ADMIN = { email: 'processes@example.com', password: 'ProcessesPassw0rd!' };
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
  // One after the other: the first start creates the tables (and the admin the settings are changed with).
  a = await startAppProcess({ ...database.env, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
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

  it('a remembered device works at the other process, and a revocation at one is seen by the next login at the other', async () => {
    const token = await adminToken(() => a.http(), ADMIN.email, ADMIN.password);
    const on = await a.http().put('/two-factor/settings').set('Authorization', `Bearer ${token}`).send({ trustedDevices: { enabled: true, days: 30 } });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    const user = await registerUser(a);
    const { secret } = await enrolTotp(b, user);
    const verified = await a.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(a, user), code: codeAt(secret), trustDevice: true });
    expect(verified.body.deviceToken, JSON.stringify(verified.body)).toEqual(expect.any(String));
    const device = { 'X-Two-Factor-Device': verified.body.deviceToken };
    const loginAt = (server: HttpApp) => server.http().post('/api/auth/local').set(device).send({ identifier: user.email, password: PASSWORD });

    const trusted = await loginAt(b);
    expect(trusted.body.jwt, JSON.stringify(trusted.body)).toEqual(expect.any(String));
    const [listed] = (await b.http().get('/api/two-factor/devices').set('Authorization', `Bearer ${trusted.body.jwt}`).set(device)).body;
    expect(listed).toMatchObject({ current: true });
    expect((await a.http().delete(`/api/two-factor/devices/${listed.id}`).set('Authorization', `Bearer ${trusted.body.jwt}`)).status).toBe(200);
    const after = await loginAt(b);
    expect(after.body).toMatchObject({ twoFaRequired: true });
    expect(after.body.jwt).toBeUndefined();
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
