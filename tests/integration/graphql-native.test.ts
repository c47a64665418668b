import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { code, fails, gql, LOGIN, ok, register } from './graphql-helpers';

/**
 * The Strapi-native GraphQL operations (docs/graphql.md) end to end on a real Strapi: enrol TOTP, log
 * in with a code and with a backup code, regenerate codes, disable; and the security properties
 * REST has (no JWT before the second factor, replay, single use, throttling).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const PASSWORD = 'Password123!';
const ENABLE = `mutation($method: String!, $phone: String, $mfaToken: String) {
  twoFactorEnable(method: $method, phone: $phone, mfaToken: $mfaToken) { qrCode qrCodeSvg secret otpauthUrl message }
}`;
const CONFIRM = `mutation($method: String!, $code: String!, $mfaToken: String) {
  twoFactorConfirm(method: $method, code: $code, mfaToken: $mfaToken) { enabled methods backupCodes jwt user { id email } }
}`;
const VERIFY = `mutation($mfaToken: String!, $code: String!, $method: String) {
  twoFactorVerify(mfaToken: $mfaToken, code: $code, method: $method) { jwt user { id username email } }
}`;
const STATUS = `query { twoFactorStatus { enabled methods backupCodesRemaining } }`;
const BACKUP_CODES = `mutation($code: String!) { twoFactorBackupCodes(code: $code) }`;
const DISABLE = `mutation($code: String!, $method: String) { twoFactorDisable(code: $code, method: $method) { enabled methods backupCodesRemaining } }`;
const ME = `query { me { id email } }`;

/** A registered user with a confirmed authenticator app: its secret, backup codes and JWT. */
async function enrolled(email: string) {
  const { jwt, id } = await register(app, email, PASSWORD);
  const { twoFactorEnable } = await ok(app, ENABLE, { method: 'totp' }, jwt);
  const { twoFactorConfirm } = await ok(app, CONFIRM, { method: 'totp', code: code(twoFactorEnable.secret) }, jwt);
  return { id, jwt, secret: twoFactorEnable.secret as string, backupCodes: twoFactorConfirm.backupCodes as string[] };
}

/** The pending login that `login` answers a two-factor user with. */
async function pendingLogin(email: string) {
  const { error, res } = await fails(app, LOGIN, { identifier: email, password: PASSWORD });
  expect(res.body.data).toBeNull();
  expect(error.extensions.code).toBe('TWO_FACTOR_REQUIRED');
  return error.extensions.mfaToken as string;
}

describe('login', () => {
  it('is unchanged for a user without two-factor', async () => {
    await register(app, 'plain@example.com', PASSWORD);
    const data = await ok(app, LOGIN, { identifier: 'plain@example.com', password: PASSWORD });
    expect(data.login.jwt).toEqual(expect.any(String));
    expect(data.login.user.email).toBe('plain@example.com');
  });

  it('gives a two-factor user no JWT: TWO_FACTOR_REQUIRED with mfaToken and methods', async () => {
    await enrolled('pending@example.com');
    const res = await gql(app, LOGIN, { identifier: 'pending@example.com', password: PASSWORD });
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors;
    expect(error.message).toBe('2FA required');
    expect(error.extensions).toMatchObject({
      code: 'TWO_FACTOR_REQUIRED',
      mfaToken: expect.any(String),
      methods: ['totp', 'backup_code'],
      expiresAt: expect.any(String),
    });
    // Nothing that looks like a users-permissions JWT, no refresh cookie, and no REST pending
    // cookie: over GraphQL the pending login travels in the error alone.
    expect(JSON.stringify(res.body)).not.toMatch(/"jwt"|refreshToken/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('keeps users-permissions answers for a wrong password, 2FA user or not (no enumeration)', async () => {
    await enrolled('enum@example.com');
    const a = await fails(app, LOGIN, { identifier: 'enum@example.com', password: 'wrong-password' });
    const b = await fails(app, LOGIN, { identifier: 'nobody@example.com', password: 'wrong-password' });
    const c = await fails(app, LOGIN, { identifier: 'plain@example.com', password: 'wrong-password' });
    for (const { error } of [a, b, c]) {
      expect(error.message).toBe('Invalid identifier or password');
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('enrolment', () => {
  it('enables TOTP pending until a valid code confirms it, then gives backup codes once', async () => {
    const { jwt } = await register(app, 'enrol@example.com', PASSWORD);
    const { twoFactorEnable } = await ok(app, ENABLE, { method: 'totp' }, jwt);
    expect(twoFactorEnable.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(twoFactorEnable.qrCodeSvg).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(twoFactorEnable.secret).toMatch(/^[A-Z2-7]{32,}$/);
    expect(twoFactorEnable.otpauthUrl).toContain(`secret=${twoFactorEnable.secret}`);
    expect(twoFactorEnable.message).toBeNull();

    // Pending: the login is still a plain one.
    expect((await ok(app, LOGIN, { identifier: 'enrol@example.com', password: PASSWORD })).login.jwt).toBeTruthy();
    expect((await ok(app, STATUS, {}, jwt)).twoFactorStatus).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });

    const wrong = await fails(app, CONFIRM, { method: 'totp', code: '000000' }, jwt);
    expect(wrong.error.message).toBe('Invalid two-factor code');
    expect(wrong.error.extensions.code).toBe('BAD_USER_INPUT');

    const { twoFactorConfirm } = await ok(app, CONFIRM, { method: 'totp', code: code(twoFactorEnable.secret) }, jwt);
    expect(twoFactorConfirm).toMatchObject({ enabled: true, methods: ['totp'], jwt: null, user: null });
    expect(twoFactorConfirm.backupCodes).toHaveLength(10);
    expect(new Set(twoFactorConfirm.backupCodes).size).toBe(10);
    expect((await ok(app, STATUS, {}, jwt)).twoFactorStatus).toEqual({ enabled: true, methods: ['totp'], backupCodesRemaining: 10 });

    // A second authenticator while one is enabled is refused with the service's message.
    const again = await fails(app, ENABLE, { method: 'totp' }, jwt);
    expect(again.error.message).toMatch(/already enabled/);
  });

  it('refuses enrolment without a JWT or a setup-required login', async () => {
    const { error } = await fails(app, ENABLE, { method: 'totp' });
    expect(error.message).toBe('Authentication required');
  });

  it('completes a setup-required login (enforced role): enable and confirm with the mfaToken, then the JWT', async () => {
    const settings = app.strapi.plugin('two-factor').service('settings') as any;
    const before = await settings.get();
    // Registered before the role is enforced: registering after it answers setup-required too (J6).
    await register(app, 'enforced@example.com', PASSWORD);
    await settings.update({ ...before, enforcedRoles: ['authenticated'] });
    try {
      const { error } = await fails(app, LOGIN, { identifier: 'enforced@example.com', password: PASSWORD });
      expect(error.message).toBe('2FA setup required');
      expect(error.extensions.code).toBe('TWO_FACTOR_SETUP_REQUIRED');
      const mfaToken = error.extensions.mfaToken;

      // A setup token opens no login.
      const asLogin = await fails(app, VERIFY, { mfaToken, code: '123456' });
      expect(asLogin.error.message).toBe('Invalid or expired two-factor session');

      const { twoFactorEnable } = await ok(app, ENABLE, { method: 'totp', mfaToken });
      const { twoFactorConfirm } = await ok(app, CONFIRM, { method: 'totp', code: code(twoFactorEnable.secret), mfaToken });
      expect(twoFactorConfirm.enabled).toBe(true);
      expect(twoFactorConfirm.backupCodes).toHaveLength(10);
      expect(twoFactorConfirm.user.email).toBe('enforced@example.com');
      const me = await ok(app, ME, {}, twoFactorConfirm.jwt);
      expect(me.me.email).toBe('enforced@example.com');

      // Single use: the setup token is spent.
      const replay = await fails(app, ENABLE, { method: 'totp', mfaToken });
      expect(replay.error.message).toBe('Authentication required');
    } finally {
      await settings.update(before);
    }
  });
});

describe('login with a second factor', () => {
  it('logs in with a TOTP code, once: the pending login and the code are single use', async () => {
    const { secret, backupCodes } = await enrolled('totp@example.com');
    const mfaToken = await pendingLogin('totp@example.com');

    // A users-permissions JWT is not a pending token, and the pending token is no JWT.
    const { jwt: otherJwt } = await register(app, 'other@example.com', PASSWORD);
    expect((await fails(app, VERIFY, { mfaToken: otherJwt, code: code(secret, 1) })).error.message).toBe(
      'Invalid or expired two-factor session'
    );
    const asJwt = await gql(app, ME, {}, mfaToken);
    expect(asJwt.status).toBe(401);

    const { twoFactorVerify } = await ok(app, VERIFY, { mfaToken, code: code(secret, 1) });
    expect(twoFactorVerify.user.email).toBe('totp@example.com');
    expect((await ok(app, ME, {}, twoFactorVerify.jwt)).me.email).toBe('totp@example.com');

    // The pending login is spent, even with another valid factor.
    const replay = await fails(app, VERIFY, { mfaToken, code: backupCodes[0] });
    expect(replay.error.message).toBe('Invalid or expired two-factor session');

    // The code is spent (T3), and so is any older step.
    const next = await pendingLogin('totp@example.com');
    for (const old of [code(secret, 1), code(secret, 0)]) {
      const { error } = await fails(app, VERIFY, { mfaToken: next, code: old, method: 'totp' });
      expect(error.message).toBe('Invalid two-factor code');
    }
  });

  it('logs in with a backup code, once; the others keep working and the count drops', async () => {
    const { jwt, backupCodes } = await enrolled('backup@example.com');
    const first = await pendingLogin('backup@example.com');
    expect((await ok(app, VERIFY, { mfaToken: first, code: backupCodes[0] })).twoFactorVerify.jwt).toBeTruthy();

    const second = await pendingLogin('backup@example.com');
    const used = await fails(app, VERIFY, { mfaToken: second, code: backupCodes[0], method: 'backup_code' });
    expect(used.error.message).toBe('Invalid two-factor code');
    expect((await ok(app, VERIFY, { mfaToken: second, code: backupCodes[1], method: 'backup_code' })).twoFactorVerify.jwt).toBeTruthy();
    expect((await ok(app, STATUS, {}, jwt)).twoFactorStatus.backupCodesRemaining).toBe(8);
  });

  it('mints exactly one JWT from two concurrent completions of one pending login (J3)', async () => {
    const { secret, backupCodes } = await enrolled('race@example.com');
    const mfaToken = await pendingLogin('race@example.com');
    const results = await Promise.all([
      gql(app, VERIFY, { mfaToken, code: code(secret, 1) }),
      gql(app, VERIFY, { mfaToken, code: backupCodes[0] }),
    ]);
    const winners = results.filter((res) => res.body.data?.twoFactorVerify?.jwt);
    expect(winners).toHaveLength(1);
  });

  it('locks the second factor after 10 failures: a rate-limit error with Retry-After, even for a right code', async () => {
    const { id, backupCodes } = await enrolled('locked@example.com');
    const mfaToken = await pendingLogin('locked@example.com');
    for (let i = 0; i < 10; i++) {
      const { error } = await fails(app, VERIFY, { mfaToken, code: '000000' });
      expect(error.message).toBe('Invalid two-factor code');
    }
    const { error, res } = await fails(app, VERIFY, { mfaToken, code: backupCodes[0] });
    expect(error.extensions.code).toBe('STRAPI_RATE_LIMIT_ERROR');
    expect(error.message).toBe('Too many failed attempts. Try again later.');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // The right code was not even checked: it still works once the lock is gone.
    await (app.strapi.plugin('two-factor').service('throttle') as any).clear(id);
    expect((await ok(app, VERIFY, { mfaToken, code: backupCodes[0] })).twoFactorVerify.jwt).toBeTruthy();
  });
});

describe('managing one’s own two-factor', () => {
  it('regenerates backup codes with a current factor; the old ones die', async () => {
    const { jwt, secret, backupCodes } = await enrolled('regen@example.com');
    const wrong = await fails(app, BACKUP_CODES, { code: '000000' }, jwt);
    expect(wrong.error.message).toBe('Invalid two-factor code');

    const { twoFactorBackupCodes } = await ok(app, BACKUP_CODES, { code: code(secret, 1) }, jwt);
    expect(twoFactorBackupCodes).toHaveLength(10);
    expect(twoFactorBackupCodes).not.toContain(backupCodes[1]);

    const mfaToken = await pendingLogin('regen@example.com');
    expect((await fails(app, VERIFY, { mfaToken, code: backupCodes[1] })).error.message).toBe('Invalid two-factor code');
    expect((await ok(app, VERIFY, { mfaToken, code: twoFactorBackupCodes[0] })).twoFactorVerify.jwt).toBeTruthy();
  });

  it('disables with a current factor; then login gives a JWT again', async () => {
    const { jwt, secret } = await enrolled('disable@example.com');
    const wrong = await fails(app, DISABLE, { code: '000000' }, jwt);
    expect(wrong.error.message).toBe('Invalid two-factor code');

    const { twoFactorDisable } = await ok(app, DISABLE, { code: code(secret, 1) }, jwt);
    expect(twoFactorDisable).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
    expect((await ok(app, LOGIN, { identifier: 'disable@example.com', password: PASSWORD })).login.jwt).toBeTruthy();
  });

  it('needs a JWT for status, backup codes and disable', async () => {
    for (const [query, variables] of [
      [STATUS, {}],
      [BACKUP_CODES, { code: '123456' }],
      [DISABLE, { code: '123456' }],
    ] as const) {
      const { error } = await fails(app, query, variables);
      expect(error.extensions.code).toBe('FORBIDDEN');
    }
  });

  it('twoFactorSend names the methods it takes and needs a live pending login (codes: multi-method suite)', async () => {
    const mfaToken = 'x';
    const unknown = await fails(app, `mutation($m: String!) { twoFactorSend(mfaToken: "${mfaToken}", method: $m) }`, { m: 'totp' });
    expect(unknown.error.message).toBe('method must be one of email, sms');
    const email = await fails(app, `mutation { twoFactorSend(mfaToken: "${mfaToken}", method: "email") }`);
    expect(email.error.message).toBe('Invalid or expired two-factor session');
  });
});
