import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, pendingLogin, registerUser, type TestUser } from '../helpers/flows';

/**
 * Every route of the plugin against malformed input: a 4xx with a message, never a 500 or a
 * stack trace, and nothing about the user's 2FA changes.
 */
let app: TestApp;
let user: TestUser;
let secret: string;
let fresh: TestUser; // a user with no 2FA, to try enrolment input on

beforeAll(async () => {
  app = await startApp();
  app.logs.expect(/^(invalid JSON, only supports object and array|Unexpected end of JSON input)/); // Strapi's body parser logs each malformed JSON body it refuses (400)
  user = await registerUser(app);
  ({ secret } = await enrolTotp(app, user));
  fresh = await registerUser(app);
});
afterAll(async () => {
  await app?.stop();
});

const huge = 'x'.repeat(200_000);
const garbageBodies: unknown[] = [
  [],
  ['code'],
  'just a string',
  42,
  {},
  { code: null },
  { code: 123456 },
  { code: { $gt: '' } },
  { code: ['123456'] },
  { code: huge },
  { code: '１２３４５６' },
  { code: '12345' },
  { code: '1234567' },
  { code: '12 34 56' },
  { code: '' },
  { method: 'carrier-pigeon', code: '123456' },
  { method: 42, code: '123456' },
  { method: null, code: '123456' },
  { method: huge, code: '123456' },
  { mfaToken: 42, code: '123456' },
  { mfaToken: huge, code: '123456' },
  { mfaToken: { a: 1 }, code: '123456' },
  { phone: huge, method: 'sms' },
  { phone: 12, method: 'sms' },
  { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } }, code: '123456' },
];

const snapshot = async () => {
  const knex = app.strapi.db.connection;
  const rows = async (table: string) =>
    (await knex(table).whereIn('user_id', [user.id, fresh.id]).orderBy('id')).map((r: any) => {
      // Timestamps of bookkeeping may move; the 2FA state itself must not.
      const { updated_at, created_at, ...rest } = r;
      return rest;
    });
  return JSON.stringify({
    factors: await rows('two_factor_factors'),
    backupCodes: await rows('two_factor_backup_codes'),
  });
};

const routes: Array<{ path: string; auth?: 'user' | 'fresh' }> = [
  { path: '/api/two-factor/verify' },
  { path: '/api/two-factor/enable', auth: 'fresh' },
  { path: '/api/two-factor/confirm', auth: 'fresh' },
  { path: '/api/two-factor/backup-codes', auth: 'user' },
  { path: '/api/two-factor/disable', auth: 'user' },
  { path: '/api/authentication/local' },
  { path: '/api/authentication/twoFa/verify' },
  { path: '/api/authentication/twoFa/backup-codes', auth: 'user' },
  { path: '/api/authentication/twoFa/disable', auth: 'user' },
  { path: '/api/auth/local' },
];

describe('malformed input on every route', () => {
  it('answers 4xx with a message and changes no 2FA state', async () => {
    const before = await snapshot();
    const mfaToken = await pendingLogin(app, user);
    for (const route of routes) {
      for (const body of garbageBodies) {
        let req = app.http().post(route.path);
        if (route.auth) req = req.set('Authorization', `Bearer ${(route.auth === 'user' ? user : fresh).jwt}`);
        // Give verify a live pending token so the body itself is what gets judged.
        const payload =
          route.path.endsWith('/verify') && body && typeof body === 'object' && !Array.isArray(body) && !('mfaToken' in body)
            ? { ...body, mfaToken }
            : body;
        const isObject = typeof payload === 'object' && payload !== null;
        const res = await (isObject ? req.send(payload as any) : req.set('Content-Type', 'application/json').send(JSON.stringify(payload)));
        const label = `${route.path} ${JSON.stringify(body)?.slice(0, 80)}`;
        // 429: the account lock engaged after enough wrong codes, which is the right answer too.
        expect(res.status >= 400 && res.status < 500, `${label} → ${res.status}`).toBe(true);
        expect(res.body?.error?.message, label).toEqual(expect.any(String));
        expect(res.body.error.message.length).toBeGreaterThan(0);
        expect(JSON.stringify(res.body), label).not.toMatch(/\bat .+\.(js|ts):\d+|stack/i);
        expect(res.body.jwt, label).toBeUndefined();
      }
    }
    // Unparseable JSON too.
    for (const route of routes) {
      const res = await app.http().post(route.path).set('Content-Type', 'application/json').send('{"code": ');
      expect(res.status, route.path).toBeGreaterThanOrEqual(400);
      expect(res.status, route.path).toBeLessThan(500);
    }
    expect(await snapshot()).toBe(before);
    // Throttling aside (lifted as the admin unlock does), the account still works afterwards.
    await app.strapi.plugin('two-factor').service('throttle').clear(user.id);
    const ok = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
    expect(ok.status).toBe(200);
  });

  it('gives clear messages for the common mistakes', async () => {
    const mfaToken = await pendingLogin(app, user);
    fresh = await registerUser(app);
    const cases: Array<[string, Record<string, unknown>, string, number, 'user' | 'fresh' | undefined]> = [
      ['/api/two-factor/verify', { mfaToken }, 'code is required', 400, undefined],
      ['/api/two-factor/verify', { mfaToken, code: '123456', method: 'pigeon' }, 'method must be one of totp, email, sms, passkey, backup_code', 400, undefined],
      ['/api/two-factor/enable', {}, 'method is required', 400, 'fresh'],
      ['/api/two-factor/enable', { method: 'pigeon' }, 'method must be one of totp, email, sms, passkey', 400, 'fresh'],
      ['/api/two-factor/confirm', { method: 'totp' }, 'code is required', 400, 'fresh'],
      ['/api/two-factor/confirm', { method: 'totp', code: '123456' }, 'No pending Authenticator app enrolment; start one with enable', 400, 'fresh'],
      ['/api/two-factor/verify', { code: '123456' }, 'Invalid or expired two-factor session', 401, undefined],
      ['/api/authentication/local', { password: 'x' }, 'identifier or email is required', 400, undefined],
    ];
    for (const [path, body, message, status, auth] of cases) {
      let req = app.http().post(path);
      if (auth) req = req.set('Authorization', `Bearer ${(auth === 'user' ? user : fresh).jwt}`);
      const res = await req.send(body);
      expect(res.status, path).toBe(status);
      expect(res.body.error.message, path).toBe(message);
    }
  });

  it("seed 004's enable (no body needed) still refuses a body that is not an object or names an unknown method", async () => {
    for (const body of [[], 'text', { method: 'pigeon' }]) {
      const req = app.http().post('/api/authentication/twoFa/enable').set('Authorization', `Bearer ${fresh.jwt}`);
      const res = await (typeof body === 'object' && !Array.isArray(body) ? req.send(body) : req.set('Content-Type', 'application/json').send(JSON.stringify(body)));
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('a malformed code counts as a failed attempt and gets the generic answer (T5)', async () => {
    const other = await registerUser(app);
    await enrolTotp(app, other);
    const mfaToken = await pendingLogin(app, other);
    for (const code of ['abcdef', '１２３４５６', 12, '']) {
      const res = await app.http().post('/api/two-factor/verify').send({ mfaToken, code });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('Invalid two-factor code');
    }
    const [row] = await app.strapi.db.connection('two_factor_throttles').where('user_id', other.id);
    expect(Number(row.failures)).toBe(4);
  });
});
