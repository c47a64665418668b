import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, passwordLogin, pendingLogin, registerUser, PASSWORD, type TestUser } from '../helpers/flows';
import { verify } from '../helpers/otp-flows';
import { totpCode } from '../../server/src/core';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

/** Answers a new login of `user` (its password step just passed) with `code`. */
const answerNewLogin = async (user: TestUser, code: string, more: Record<string, unknown> = {}) =>
  verify(app, { mfaToken: await pendingLogin(app, user), code, ...more });

describe('TOTP enrolment (docs/rest-api.md)', () => {
  it('enable answers PNG and SVG QR data URIs, the secret and an otpauth URL; status stays disabled until confirmed (T7, T8)', async () => {
    const user = await registerUser(app);
    const res = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp' });
    expect(res.status).toBe(200);
    expect(res.body.qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/=]{100,}$/);
    expect(res.body.qrCodeSvg).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(res.body.qrCodeSvg.split(',')[1], 'base64').toString()).toContain('<svg');
    expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes = 160 bits (T2)
    expect(res.body.otpauthUrl).toBe(
      `otpauth://totp/Strapi:${encodeURIComponent(user.email)}?secret=${res.body.secret}&issuer=Strapi&algorithm=SHA1&digits=6&period=30`
    );

    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${user.jwt}`);
    expect(status.body).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
    // A pending enrolment never gates the login (T7).
    const login = await passwordLogin(app, user.email);
    expect(login.body.jwt).toEqual(expect.any(String));
  });

  it('each enable makes a fresh secret, and only the newest pending secret confirms (T2, T7)', async () => {
    const user = await registerUser(app);
    const first = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp' });
    const second = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp' });
    expect(first.body.secret).not.toBe(second.body.secret);
    const stale = await app
      .http()
      .post('/api/two-factor/confirm')
      .set('Authorization', `Bearer ${user.jwt}`)
      .send({ method: 'totp', code: codeAt(first.body.secret) });
    expect(stale.status).toBe(400);
    const fresh = await app
      .http()
      .post('/api/two-factor/confirm')
      .set('Authorization', `Bearer ${user.jwt}`)
      .send({ method: 'totp', code: codeAt(second.body.secret) });
    expect(fresh.status).toBe(200);
  });

  it('confirm with a valid code enables 2FA and returns 10 distinct backup codes once (B1)', async () => {
    const user = await registerUser(app);
    const { backupCodes } = await enrolTotp(app, user);
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    for (const code of backupCodes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${user.jwt}`);
    expect(status.body).toEqual({ enabled: true, methods: ['totp'], backupCodesRemaining: 10 });
    // A second authenticator needs the first one disabled.
    const again = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp' });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/already enabled/);
  });

  it('confirm with a wrong code fails and leaves 2FA off', async () => {
    const user = await registerUser(app);
    const enable = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp' });
    const wrong = (Number(codeAt(enable.body.secret)) + 1) % 1_000_000;
    const res = await app
      .http()
      .post('/api/two-factor/confirm')
      .set('Authorization', `Bearer ${user.jwt}`)
      .send({ method: 'totp', code: String(wrong).padStart(6, '0') });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Invalid two-factor code');
    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${user.jwt}`);
    expect(status.body.enabled).toBe(false);
  });

  it('management routes need a users-permissions JWT', async () => {
    for (const [method, path] of [
      ['get', '/api/two-factor/status'],
      ['post', '/api/two-factor/enable'],
      ['post', '/api/two-factor/confirm'],
      ['post', '/api/two-factor/backup-codes'],
      ['post', '/api/two-factor/disable'],
    ] as const) {
      const res = await app.http()[method](path).send({ method: 'totp', code: '123456' });
      expect([401, 403], `${method} ${path}`).toContain(res.status);
      expect(res.body.error).toBeTruthy();
    }
  });
});

describe('login with a second factor (J1, J3, J7)', () => {
  it('a user without 2FA gets exactly the users-permissions answer, with no added field', async () => {
    const user = await registerUser(app);
    const res = await passwordLogin(app, user.email);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'user']);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('a 2FA user gets a pending login (JSON and httpOnly cookie) and no JWT, refresh token or user (J1)', async () => {
    const user = await registerUser(app);
    await enrolTotp(app, user);
    const res = await passwordLogin(app, user.username); // username works as identifier too
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: '2FA required',
      twoFaRequired: true,
      mfaToken: expect.any(String),
      methods: ['totp', 'backup_code'],
      expiresAt: expect.any(String),
    });
    const expires = Date.parse(res.body.expiresAt) - Date.now();
    expect(expires).toBeGreaterThan(250_000);
    expect(expires).toBeLessThanOrEqual(300_000);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).join(';');
    expect(cookie).toContain(`strapi_two_factor=${res.body.mfaToken}`);
    expect(cookie.toLowerCase()).toContain('httponly');
  });

  it('a wrong password for a 2FA user answers exactly as for anyone else (L5)', async () => {
    const user = await registerUser(app);
    await enrolTotp(app, user);
    const twoFactor = await passwordLogin(app, user.email, 'Wrong-password-1');
    const unknown = await passwordLogin(app, 'nobody@example.com', 'Wrong-password-1');
    expect(twoFactor.status).toBe(400);
    expect(twoFactor.body).toEqual(unknown.body);
    expect(twoFactor.body.error.message).toBe('Invalid identifier or password');
  });

  it('verify with a TOTP code answers { jwt, user } like a plain login, and the JWT works', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    const res = await verify(app, { mfaToken, code: codeAt(secret) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'user']);
    expect(res.body.user).toMatchObject({ id: user.id, email: user.email, username: user.username });
    expect(res.body.user.password).toBeUndefined();
    const me = await app.http().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
  });

  it('the pending token from the cookie alone completes the login', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const agent = (await import('supertest')).default.agent(app.strapi.server.httpServer);
    const login = await agent.post('/api/auth/local').send({ identifier: user.email, password: PASSWORD });
    expect(login.body.twoFaRequired).toBe(true);
    const res = await agent.post('/api/two-factor/verify').send({ code: codeAt(secret) });
    expect(res.status).toBe(200);
    expect(res.body.jwt).toEqual(expect.any(String));
    // The spent cookie is cleared.
    expect((res.headers['set-cookie'] as unknown as string[]).join(';')).toMatch(/strapi_two_factor=;/);
  });

  it('an accepted TOTP code is refused afterwards, also inside its window (T3)', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const code = codeAt(secret);
    const first = await answerNewLogin(user, code);
    expect(first.status).toBe(200);
    const replay = await answerNewLogin(user, code);
    expect(replay.status).toBe(400);
    expect(replay.body.error.message).toBe('Invalid two-factor code');
    // The code of an older step than the last accepted one is refused too.
    const older = await answerNewLogin(user, codeAt(secret, -1));
    expect(older.status).toBe(400);
    // The next step still works.
    const next = await answerNewLogin(user, codeAt(secret, 1));
    expect(next.status).toBe(200);
  });

  it('a code two steps away is refused; one step either side is accepted (T4)', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const far = await answerNewLogin(user, codeAt(secret, 2));
    expect(far.status).toBe(400);
    const near = await answerNewLogin(user, codeAt(secret, 1));
    expect(near.status).toBe(200);
  });

  it('a pending token is single use: replaying it after success fails (J3)', async () => {
    const user = await registerUser(app);
    const { secret, backupCodes } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    expect((await verify(app, { mfaToken, code: codeAt(secret) })).status).toBe(200);
    const replay = await verify(app, { mfaToken, code: backupCodes[0] });
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toBe('Invalid or expired two-factor session');
    expect(replay.body.jwt).toBeUndefined();
  });

  it('20 parallel submissions of one TOTP code give exactly one JWT (T3)', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => pendingLogin(app, user)));
    const code = codeAt(secret);
    const results = await Promise.all(tokens.map((mfaToken) => verify(app, { mfaToken, code })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    // The others are wrong codes (400) or, past 10 failures, the account lock (429): never a JWT.
    expect(results.filter((r) => r.status === 400 || r.status === 429)).toHaveLength(19);
    expect(results.filter((r) => r.body.jwt)).toHaveLength(1);
  });

  it('20 parallel completions of one pending token mint exactly one JWT (J3)', async () => {
    const user = await registerUser(app);
    const { backupCodes } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    // Ten different valid backup codes, each sent twice, all on the same pending token.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => verify(app, { mfaToken, code: backupCodes[i % 10] }))
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.jwt)).toHaveLength(1);
  });
});

describe('backup codes (B2–B4)', () => {
  it('a backup code logs in once; the others keep working and the count drops by one (B3)', async () => {
    const user = await registerUser(app);
    const { backupCodes } = await enrolTotp(app, user);
    const ok = await answerNewLogin(user, backupCodes[0].toLowerCase(), { method: 'backup_code' });
    expect(ok.status).toBe(200);
    const reused = await answerNewLogin(user, backupCodes[0]);
    expect(reused.status).toBe(400);
    const other = await answerNewLogin(user, backupCodes[1].replace(/-/g, ' '));
    expect(other.status).toBe(200);
    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${ok.body.jwt}`);
    expect(status.body.backupCodesRemaining).toBe(8);
  });

  it('20 parallel submissions of one backup code give exactly one success (B3)', async () => {
    const user = await registerUser(app);
    const { backupCodes } = await enrolTotp(app, user);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => pendingLogin(app, user)));
    const results = await Promise.all(
      tokens.map((mfaToken) => verify(app, { mfaToken, code: backupCodes[3] }))
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${user.jwt}`);
    expect(status.body.backupCodesRemaining).toBe(9);
  });

  it('are stored as hashes only (B2)', async () => {
    const user = await registerUser(app);
    const { backupCodes } = await enrolTotp(app, user);
    const rows = await app.strapi.db.connection('two_factor_backup_codes').where('user_id', user.id);
    expect(rows).toHaveLength(10);
    const dump = JSON.stringify(rows);
    for (const code of backupCodes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ''));
    }
  });

  it('regenerating needs a current second factor, replaces all old codes and shows the new ones once (B4)', async () => {
    const user = await registerUser(app);
    const { secret, backupCodes } = await enrolTotp(app, user);
    const auth = { Authorization: `Bearer ${user.jwt}` };
    // The JWT is from before 2FA was on: never fresh, so a code is needed.
    const noCode = await app.http().post('/api/two-factor/backup-codes').set(auth).send({});
    expect(noCode.status).toBe(403);
    expect(noCode.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const wrong = await app.http().post('/api/two-factor/backup-codes').set(auth).send({ code: '000000' });
    expect(wrong.status).toBe(400);
    const res = await app.http().post('/api/two-factor/backup-codes').set(auth).send({ code: codeAt(secret) });
    expect(res.status).toBe(200);
    expect(res.body.backupCodes).toHaveLength(10);
    expect(res.body.backupCodes.some((c: string) => backupCodes.includes(c))).toBe(false);
    const old = await answerNewLogin(user, backupCodes[5]);
    expect(old.status).toBe(400);
    const fresh = await answerNewLogin(user, res.body.backupCodes[5]);
    expect(fresh.status).toBe(200);
    const status = await app.http().get('/api/two-factor/status').set(auth);
    expect(status.body.backupCodesRemaining).toBe(9);
  });
});

describe('disable (L1, L2)', () => {
  it('needs a current second factor and removes secrets, codes and pending logins', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const auth = { Authorization: `Bearer ${user.jwt}` };
    const pending = await pendingLogin(app, user);
    const wrong = await app.http().post('/api/two-factor/disable').set(auth).send({ code: '000000' });
    expect(wrong.status).toBe(400);
    expect((await app.http().get('/api/two-factor/status').set(auth)).body.enabled).toBe(true);

    const res = await app.http().post('/api/two-factor/disable').set(auth).send({ code: codeAt(secret) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ enabled: false, methods: [] });
    const knex = app.strapi.db.connection;
    expect(await knex('two_factor_factors').where('user_id', user.id)).toHaveLength(0);
    expect(await knex('two_factor_backup_codes').where('user_id', user.id)).toHaveLength(0);
    expect(await knex('two_factor_challenges').where('user_id', user.id)).toHaveLength(0);
    // The login opened before is dead, and a new login is a plain one again.
    const late = await verify(app, { mfaToken: pending, code: codeAt(secret, 1) });
    expect(late.status).toBe(401);
    const login = await passwordLogin(app, user.email);
    expect(Object.keys(login.body).sort()).toEqual(['jwt', 'user']);
  });

  it('accepts a backup code as the current second factor', async () => {
    const user = await registerUser(app);
    const { backupCodes } = await enrolTotp(app, user);
    const res = await app
      .http()
      .post('/api/two-factor/disable')
      .set('Authorization', `Bearer ${user.jwt}`)
      .send({ code: backupCodes[9] });
    expect(res.status).toBe(200);
    expect(res.body.enabled).toBe(false);
  });

  it('without 2FA enabled says so', async () => {
    const user = await registerUser(app);
    const res = await app.http().post('/api/two-factor/disable').set('Authorization', `Bearer ${user.jwt}`).send({ code: '123456' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Two-factor authentication is not enabled');
  });
});

describe('the RFC 6238 code the server accepts is the one an authenticator app shows', () => {
  it('verifies a code computed independently from the otpauth URL', async () => {
    const user = await registerUser(app);
    const enable = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp' });
    const url = new URL(enable.body.otpauthUrl);
    const secret = url.searchParams.get('secret')!;
    const { createHmac } = await import('node:crypto');
    // RFC 6238 by hand: HMAC-SHA1 over the big-endian step, dynamic truncation, 6 digits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const ch of secret) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
    const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
    const step = Buffer.alloc(8);
    step.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
    const mac = createHmac('sha1', key).update(step).digest();
    const offset = mac[mac.length - 1] & 0xf;
    const code = String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
    expect(code).toBe(totpCode(secret));
    const res = await app.http().post('/api/two-factor/confirm').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp', code });
    expect(res.status).toBe(200);
  });
});
