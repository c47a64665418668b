import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import jwt from 'jsonwebtoken';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, passwordLogin, pendingLogin, pluginService, registerUser, updateSettings, PASSWORD, type TestUser } from '../helpers/flows';
import { PENDING_TOKEN_AUDIENCE, PENDING_TOKEN_ISSUER } from '../../server/src/core';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const verify = (body: Record<string, unknown>) => app.http().post('/api/two-factor/verify').send(body);
const pendingKey = () => pluginService(app, 'keys').get().pendingToken as Buffer;

describe('the pending token is its own kind of credential (J2)', () => {
  it('is refused by authenticated endpoints', async () => {
    const user = await registerUser(app);
    await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    for (const path of ['/api/users/me', '/api/two-factor/status']) {
      const res = await app.http().get(path).set('Authorization', `Bearer ${mfaToken}`);
      expect(res.status, path).toBe(401);
    }
    const backup = await app.http().post('/api/two-factor/backup-codes').set('Authorization', `Bearer ${mfaToken}`).send({ code: '123456' });
    expect(backup.status).toBe(401);
    // A login pending token does not open enrolment either: only a setup-required one does.
    const enable = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${mfaToken}`).send({ method: 'totp' });
    expect(enable.status).toBe(401);
  });

  it('a users-permissions JWT is refused where a pending token is asked', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const res = await verify({ mfaToken: user.jwt, code: codeAt(secret) });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Invalid or expired two-factor session');
  });
});

describe('forged, tampered and expired tokens (J3, J4)', () => {
  it('refuses tampered, unsigned, foreign-key and expired tokens, and a missing one', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    const [header, payload, signature] = mfaToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());

    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: '999' })).toString('base64url')}.${signature}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const foreign = jwt.sign({ purpose: 'login' }, 'some-other-key-of-at-least-32-bytes!!', {
      algorithm: 'HS256',
      audience: PENDING_TOKEN_AUDIENCE,
      issuer: PENDING_TOKEN_ISSUER,
      jwtid: claims.jti,
      subject: claims.sub,
      expiresIn: 300,
    });
    const expired = jwt.sign({ purpose: 'login', exp: Math.floor(Date.now() / 1000) - 10 }, pendingKey(), {
      algorithm: 'HS256',
      audience: PENDING_TOKEN_AUDIENCE,
      issuer: PENDING_TOKEN_ISSUER,
      jwtid: claims.jti,
      subject: claims.sub,
    });
    for (const token of [tampered, none, foreign, expired, 'garbage', '']) {
      const res = await verify({ mfaToken: token, code: codeAt(secret) });
      expect(res.status, token).toBe(401);
      expect(res.body.jwt).toBeUndefined();
    }
    expect((await verify({ code: codeAt(secret) })).status).toBe(401);
    // None of those attempts used up the code: the real token still works with it.
    expect((await verify({ mfaToken, code: codeAt(secret) })).status).toBe(200);
  });

  it('a correctly signed token whose challenge has expired is refused', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    await app.strapi.db.connection('two_factor_challenges').where('user_id', user.id).update({ expires_at: Date.now() - 1000 });
    const res = await verify({ mfaToken, code: codeAt(secret) });
    expect(res.status).toBe(401);
  });
});

describe('changes between the password step and the code step kill the pending login (J5)', () => {
  it.each<[string, (user: TestUser) => Promise<unknown>]>([
    [
      'a password change',
      async (user) => {
        const change = await app
          .http()
          .post('/api/auth/change-password')
          .set('Authorization', `Bearer ${user.jwt}`)
          .send({ currentPassword: PASSWORD, password: 'New-password-77', passwordConfirmation: 'New-password-77' });
        expect(change.status).toBe(200);
      },
    ],
    [
      'a block by an administrator',
      (user) => app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { blocked: true } }),
    ],
    ['a 2FA reset', (user) => pluginService(app, 'factors').removeEverything(user.id)],
  ])('%s', async (_label, change) => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    await change(user);
    const res = await verify({ mfaToken, code: codeAt(secret) });
    expect(res.status).toBe(401);
  });
});

describe('2FA required for a role (setup-required login)', () => {
  it('a user of the role without a factor can only enrol; the first confirmed factor completes the login', async () => {
    const user = await registerUser(app);
    await updateSettings(app, { enforcedRoles: ['authenticated'] });
    try {
      const login = await passwordLogin(app, user.email);
      expect(login.status).toBe(200);
      expect(login.body).toEqual({
        message: '2FA setup required',
        twoFaSetupRequired: true,
        mfaToken: expect.any(String),
        methods: expect.arrayContaining(['totp']),
        expiresAt: expect.any(String),
      });
      // The methods it may enrol: those the operator has switched on, never backup codes.
      expect(login.body.methods).not.toContain('backup_code');
      const setupToken = login.body.mfaToken;
      // The setup token is no JWT and no login token.
      expect((await app.http().get('/api/users/me').set('Authorization', `Bearer ${setupToken}`)).status).toBe(401);
      expect((await verify({ mfaToken: setupToken, code: '123456' })).status).toBe(401);

      const enable = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${setupToken}`).send({ method: 'totp' });
      expect(enable.status).toBe(200);
      const confirm = await app
        .http()
        .post('/api/two-factor/confirm')
        .send({ mfaToken: setupToken, method: 'totp', code: codeAt(enable.body.secret) });
      expect(confirm.status).toBe(200);
      expect(confirm.body).toMatchObject({
        jwt: expect.any(String),
        user: { id: user.id, email: user.email },
        enabled: true,
        methods: ['totp'],
        backupCodes: expect.any(Array),
      });
      expect((await app.http().get('/api/users/me').set('Authorization', `Bearer ${confirm.body.jwt}`)).status).toBe(200);
      // The setup login is spent; the next login asks for the new factor.
      expect((await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${setupToken}`).send({ method: 'totp' })).status).toBe(401);
      const next = await passwordLogin(app, user.email);
      expect(next.body.twoFaRequired).toBe(true);
    } finally {
      await updateSettings(app, { enforcedRoles: [] });
    }
  });

  it('with the master switch off, nobody is asked for a second factor', async () => {
    const user = await registerUser(app);
    await enrolTotp(app, user);
    await updateSettings(app, { enabled: false });
    try {
      const login = await passwordLogin(app, user.email);
      expect(login.body.jwt).toEqual(expect.any(String));
    } finally {
      await updateSettings(app, { enabled: true });
    }
  });
});
