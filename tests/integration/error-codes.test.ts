import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, pendingLogin, registerUser, updateSettings, type TestUser } from '../helpers/flows';
import { auth, newPhone, withSmsConfig } from '../helpers/otp-flows';
import { closedPort } from '../helpers/wait';
import { adminToken, createAdmin, PLUGIN_ACTIONS } from '../helpers/admin';
import { fails, gql } from './graphql-helpers';

/**
 * Every error answer carries the plugin's code: REST in `error.details.code` (and `retryAfter`
 * where it applies), GraphQL in `extensions.details.code`, with `extensions.code` and
 * `extensions.error.details` as Strapi sets them. The messages stay as they were.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  app.logs.expect(/two-factor: SMS delivery via webhook failed/); // the provider that cannot deliver, below
});
afterAll(async () => {
  await app?.stop();
});

const enrolled = async (): Promise<TestUser & { secret: string }> => {
  const user = await registerUser(app, 'codes');
  const { secret } = await enrolTotp(app, user);
  return { ...user, secret };
};

/** A REST error answer: its status, message and details. */
const expectRest = (res: { status: number; body: any }, status: number, code: string, message?: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.data).toBeNull();
  expect(res.body.error.status).toBe(status);
  expect(res.body.error.details.code).toBe(code);
  if (message) expect(res.body.error.message).toBe(message);
};

const VERIFY = `mutation($t: String!, $c: String!) { twoFactorVerify(mfaToken: $t, code: $c) { jwt } }`;

describe('REST: error.details.code', () => {
  it('a wrong code is INVALID_CODE, an unknown pending login PENDING_EXPIRED', async () => {
    const user = await enrolled();
    const mfaToken = await pendingLogin(app, user);
    expectRest(await app.http().post('/api/two-factor/verify').send({ mfaToken, code: '000000' }), 400, 'INVALID_CODE', 'Invalid two-factor code');
    expectRest(
      await app.http().post('/api/two-factor/verify').send({ mfaToken: 'not-a-token', code: '000000' }),
      401,
      'PENDING_EXPIRED',
      'Invalid or expired two-factor session'
    );
  });

  it('a locked account is LOCKED with retryAfter, as the Retry-After header says', async () => {
    await updateSettings(app, { maxFailures: 3 });
    try {
      const user = await enrolled();
      const mfaToken = await pendingLogin(app, user);
      for (let i = 0; i < 3; i++) await app.http().post('/api/two-factor/verify').send({ mfaToken, code: '000000' });
      const res = await app.http().post('/api/two-factor/verify').send({ mfaToken, code: codeAt(user.secret) });
      expectRest(res, 429, 'LOCKED', 'Too many failed attempts. Try again later.');
      expect(res.body.error.details.retryAfter).toEqual(expect.any(Number));
      expect(res.headers['retry-after']).toBe(String(res.body.error.details.retryAfter));
    } finally {
      await updateSettings(app, { maxFailures: 10 });
      await app.strapi.db.query('plugin::two-factor.throttle').deleteMany({ where: {} });
    }
  });

  it('a change without a current code is STEP_UP_REQUIRED; a method the account lacks METHOD_NOT_ENABLED', async () => {
    const user = await enrolled();
    expectRest(await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' }), 403, 'STEP_UP_REQUIRED');
    const mfaToken = await pendingLogin(app, user);
    expectRest(
      await app.http().post('/api/two-factor/send').send({ mfaToken, method: 'email' }),
      400,
      'METHOD_NOT_ENABLED',
      'Email two-factor is not enabled for this account'
    );
  });

  it('a provider that cannot deliver is DELIVERY_FAILED', async () => {
    const user = await registerUser(app, 'codes');
    const url = `http://127.0.0.1:${await closedPort()}/webhook`;
    await withSmsConfig(app, { provider: 'webhook', providerOptions: { url, timeout: 2000 } }, async () => {
      const res = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'sms', phone: newPhone() });
      expectRest(res, 503, 'DELIVERY_FAILED', 'The SMS could not be sent. Try again later.');
    });
  });

  it('a malformed body is INVALID_INPUT and keeps its list of problems; no credential is AUTH_REQUIRED', async () => {
    const res = await app.http().post('/api/two-factor/verify').send({ code: '123456', method: 'fax' });
    expectRest(res, 400, 'INVALID_INPUT', 'method must be one of totp, email, sms, passkey, backup_code');
    expect(res.body.error.details.errors).toEqual([expect.objectContaining({ path: ['method'] })]);
    expectRest(await app.http().post('/api/two-factor/send').send({ method: 'email' }), 401, 'AUTH_REQUIRED', 'Authentication required');
  });

  it("answers passed on from users-permissions get the code of their kind, alike for every account", async () => {
    const user = await enrolled();
    const plain = await registerUser(app, 'codes');
    for (const identifier of [user.email, plain.email, 'nobody@example.com']) {
      const res = await app.http().post('/api/authentication/local').send({ identifier, password: 'wrong-password' });
      expectRest(res, 400, 'INVALID_INPUT', 'Invalid identifier or password');
    }
  });

  it('the admin API: a settings rule broken is INVALID_SETTINGS', async () => {
    await createAdmin(app.strapi, { email: 'codes-admin@example.com', password: 'Admin-pass-1', actions: PLUGIN_ACTIONS, roleName: 'codes' });
    const token = await adminToken(app.http, 'codes-admin@example.com', 'Admin-pass-1');
    const res = await app.http().put('/two-factor/settings').set('Authorization', `Bearer ${token}`).send({ maxFailures: 1 });
    expectRest(res, 400, 'INVALID_SETTINGS', 'maxFailures must be a whole number from 3 to 100');
    expect(res.body.error.details.errors).toEqual(['maxFailures must be a whole number from 3 to 100']);
    const cm = await app
      .http()
      .get('/content-manager/collection-types/plugin::two-factor.factor')
      .set('Authorization', `Bearer ${token}`);
    expectRest(cm, 403, 'NOT_CONTENT');
  });
});

describe('GraphQL: extensions.details.code beside Strapi extensions.code', () => {
  it('a wrong code: INVALID_CODE, Strapi BAD_USER_INPUT, and the same details under extensions.error', async () => {
    const user = await enrolled();
    const mfaToken = await pendingLogin(app, user);
    const { error } = await fails(app, VERIFY, { t: mfaToken, c: '000000' });
    expect(error.message).toBe('Invalid two-factor code');
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.details).toEqual({ code: 'INVALID_CODE' });
    expect(error.extensions.error.details).toEqual({ code: 'INVALID_CODE' });
  });

  it('an unknown pending login: PENDING_EXPIRED (Strapi FORBIDDEN); a locked account: LOCKED with retryAfter', async () => {
    const expired = await fails(app, VERIFY, { t: 'not-a-token', c: '000000' });
    expect(expired.error.extensions).toMatchObject({ code: 'FORBIDDEN', details: { code: 'PENDING_EXPIRED' } });

    await updateSettings(app, { maxFailures: 3 });
    try {
      const user = await enrolled();
      const mfaToken = await pendingLogin(app, user);
      for (let i = 0; i < 3; i++) await gql(app, VERIFY, { t: mfaToken, c: '000000' });
      const { error, res } = await fails(app, VERIFY, { t: mfaToken, c: codeAt(user.secret) });
      expect(error.message).toBe('Too many failed attempts. Try again later.');
      expect(error.extensions.details).toEqual({ code: 'LOCKED', retryAfter: expect.any(Number) });
      expect(res.headers['retry-after']).toBe(String(error.extensions.details.retryAfter));
    } finally {
      await updateSettings(app, { maxFailures: 10 });
      await app.strapi.db.query('plugin::two-factor.throttle').deleteMany({ where: {} });
    }
  });

  it('the native login of a 2FA user: TWO_FACTOR_REQUIRED in extensions.code and extensions.details.code', async () => {
    const user = await enrolled();
    const { error } = await fails(app, `mutation($i: String!) { login(input: { identifier: $i, password: "Correct-Horse-9" }) { jwt } }`, {
      i: user.email,
    });
    expect(error.extensions).toMatchObject({ code: 'TWO_FACTOR_REQUIRED', details: { code: 'TWO_FACTOR_REQUIRED' } });
  });

  it('a step-up missing: STEP_UP_REQUIRED; NYYU with another account email: WRONG_ACCOUNT', async () => {
    const user = await enrolled();
    const enable = await fails(app, `mutation { twoFactorEnable(method: "email") { message } }`, {}, user.jwt);
    expect(enable.error.extensions).toMatchObject({ code: 'FORBIDDEN', details: { code: 'STEP_UP_REQUIRED' } });
    const nyyu = await fails(app, `mutation { request2FA(email: "someone-else@example.com", method: "app") }`, {}, user.jwt);
    expect(nyyu.error.message).toBe('The email is not the signed-in account');
    expect(nyyu.error.extensions.details).toEqual({ code: 'WRONG_ACCOUNT' });
  });

  it("NYYU's wording of a wrong code keeps the code: INVALID_CODE", async () => {
    const user = await registerUser(app, 'codes');
    await gql(app, `mutation($e: String!) { request2FA(email: $e, method: "app") }`, { e: user.email }, user.jwt);
    const { error } = await fails(app, `mutation($e: String!) { confirmRequest2FA(email: $e, method: "app", code: "000000") }`, { e: user.email }, user.jwt);
    expect(error.message).toBe('2FA code mismatch');
    expect(error.extensions.details).toEqual({ code: 'INVALID_CODE' });
  });
});
