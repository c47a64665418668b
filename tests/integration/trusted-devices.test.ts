import { randomBytes } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { adminToken } from '../helpers/admin';
import { PASSWORD, codeAt, enrolTotp, passwordLogin, pendingLogin, registerUser, updateSettings, type TestUser } from '../helpers/flows';
import { gql, ok } from './graphql-helpers';

/**
 * Remembered devices: a verify with `trustDevice` gives a device token (and, over REST, a cookie)
 * whose next password logins skip the second factor, while the operator allows it, the token is
 * the user's own, unexpired, unrevoked, and the password is the one it was remembered with.
 */
const SUPER = { email: 'devices-admin@example.com', password: 'SuperPassw0rd!' };
const DEVICE = 'plugin::two-factor.device';
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password });
  await updateSettings(app, { trustedDevices: { enabled: true, days: 30 } });
});
afterAll(async () => {
  await app?.stop();
});

interface TwoFaUser extends TestUser {
  secret: string;
  backupCodes: string[];
}

const twoFaUser = async (prefix = 'device'): Promise<TwoFaUser> => {
  const user = await registerUser(app, prefix);
  return { ...user, ...(await enrolTotp(app, user)) };
};

/** A completed two-factor login (a backup code each time: every code works once). */
const verify = async (user: TwoFaUser, extra: Record<string, unknown> = {}, path = '/api/two-factor/verify') =>
  app
    .http()
    .post(path)
    .set('User-Agent', CHROME_MAC)
    .send({ mfaToken: await pendingLogin(app, user), code: user.backupCodes.pop(), ...extra });

/** A remembered device of the user: its token. */
const trusted = async (user: TwoFaUser): Promise<string> => {
  const res = await verify(user, { trustDevice: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(typeof res.body.deviceToken).toBe('string');
  return res.body.deviceToken;
};

const loginWith = (user: TestUser, token: string, password = PASSWORD) =>
  app.http().post('/api/auth/local').set('X-Two-Factor-Device', token).send({ identifier: user.email, password });

const expectPlainLogin = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Object.keys(res.body).sort()).toEqual(['jwt', 'user']);
  expect(res.body.twoFaRequired).toBeUndefined();
};
const expectTwoFaRequired = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.twoFaRequired).toBe(true);
  expect(res.body.jwt).toBeUndefined();
};

const rowsOf = (userId: number) => app.strapi.db.query(DEVICE).findMany({ where: { userId } });
const events = (userId: number, type: string) => app.strapi.db.query('plugin::two-factor.event').findMany({ where: { userId, type } });
const bearer = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });

/**
 * Waits for the next whole second: a legacy JWT is `{ id, iat, exp }` signed, so one issued in the
 * same second as a verify's (fresh) JWT would be that very session.
 */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));

/** Runs `fn` with other remembered-device settings, restored after. */
async function withTrust(trustedDevices: { enabled: boolean; days: number }, fn: () => Promise<void>) {
  await updateSettings(app, { trustedDevices });
  try {
    await fn();
  } finally {
    await updateSettings(app, { trustedDevices: { enabled: true, days: 30 } });
  }
}

describe('remembering a device at verify', () => {
  it('ignores trustDevice while the setting is off: no token, no cookie, no row', async () => {
    const user = await twoFaUser();
    await withTrust({ enabled: false, days: 30 }, async () => {
      const res = await verify(user, { trustDevice: true });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['jwt', 'user']);
      expect(String(res.headers['set-cookie'] ?? '')).not.toMatch(/strapi_two_factor_device=[^;]/);
    });
    expect(await rowsOf(user.id)).toHaveLength(0);
  });

  it('answers a base64url token of 256 bits and sets an httpOnly, Lax cookie on /api for `days`', async () => {
    const user = await twoFaUser();
    const res = await verify(user, { trustDevice: true });
    expect(res.status).toBe(200);
    expect(res.body.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.jwt).toEqual(expect.any(String));
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('strapi_two_factor_device='));
    expect(cookie).toBeDefined();
    expect(cookie).toContain(`strapi_two_factor_device=${res.body.deviceToken};`);
    expect(cookie).toMatch(/path=\/api;/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).not.toMatch(/secure/i);
    const expires = Date.parse(/expires=([^;]+)/i.exec(cookie!)![1]);
    expect(Math.abs(expires - (Date.now() + 30 * 86_400_000))).toBeLessThan(120_000);
    // Without trustDevice, nothing is remembered.
    const plain = await verify(user);
    expect(plain.body.deviceToken).toBeUndefined();
    expect(await rowsOf(user.id)).toHaveLength(1);
  });

  it("takes the plugin's cookie.sameSite, as the pending cookie does (a frontend on another site sets it for both)", async () => {
    const COOKIE = 'plugin::two-factor.cookie';
    const user = await twoFaUser();
    const saved = app.strapi.config.get(COOKIE) as Record<string, unknown>;
    app.strapi.config.set(COOKIE, { ...saved, sameSite: 'strict' });
    try {
      const login = await passwordLogin(app, user.email);
      const pendingCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('strapi_two_factor='));
      expect(pendingCookie).toMatch(/samesite=strict/i);
      const res = await app
        .http()
        .post('/api/two-factor/verify')
        .send({ mfaToken: login.body.mfaToken, code: user.backupCodes.pop(), trustDevice: true });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('strapi_two_factor_device='));
      expect(cookie).toContain(`strapi_two_factor_device=${res.body.deviceToken};`);
      expect(cookie).toMatch(/samesite=strict/i);
      expect(cookie).toMatch(/path=\/api;/i);
      expect(cookie).toMatch(/httponly/i);
    } finally {
      app.strapi.config.set(COOKIE, saved);
    }
  });

  it('stores only a keyed hash of the token, with the label, address and expiry, and audits it', async () => {
    const user = await twoFaUser();
    const token = await trusted(user);
    const [row] = await rowsOf(user.id);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.label).toBe('Chrome on macOS');
    expect(row.ip).toEqual(expect.any(String));
    expect(row.lastUsedAt).toBeNull();
    expect(Math.abs(Date.parse(row.expiresAt) - (Date.now() + 30 * 86_400_000))).toBeLessThan(120_000);
    const [event] = await events(user.id, 'device.trusted');
    expect(event.details).toEqual({ deviceId: row.id, days: 30 });
    expect(JSON.stringify(await app.strapi.db.query('plugin::two-factor.event').findMany({ where: { userId: user.id } }))).not.toContain(token);
  });

  it('refuses a trustDevice that is not a boolean', async () => {
    const user = await twoFaUser();
    const res = await verify(user, { trustDevice: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('INVALID_INPUT');
  });
});

describe('a login from a remembered device', () => {
  let user: TwoFaUser;
  let token: string;
  beforeAll(async () => {
    user = await twoFaUser();
    token = await trusted(user);
  });

  it('answers with the cookie, the header or the body exactly as a login without two-factor', async () => {
    const plainUser = await registerUser(app, 'plain');
    const plain = await passwordLogin(app, plainUser.email);
    expectPlainLogin(plain);
    const viaCookie = await app.http().post('/api/auth/local').set('Cookie', `strapi_two_factor_device=${token}`).send({ identifier: user.email, password: PASSWORD });
    const viaHeader = await loginWith(user, token);
    const viaBody = await app.http().post('/api/auth/local').send({ identifier: user.email, password: PASSWORD, deviceToken: token });
    const viaCompat = await app.http().post('/api/authentication/local').send({ email: user.email, password: PASSWORD, deviceToken: token });
    for (const res of [viaCookie, viaHeader, viaBody, viaCompat]) {
      expectPlainLogin(res);
      expect(Object.keys(res.body.user).sort()).toEqual(Object.keys(plain.body.user).sort());
      expect(res.body.user.id).toBe(user.id);
    }
    const [row] = await rowsOf(user.id);
    expect(row.lastUsedAt).not.toBeNull();
    expect((await events(user.id, 'device.used')).length).toBeGreaterThanOrEqual(4);
  });

  it('still checks the password first: a wrong one answers the usual 400', async () => {
    const res = await loginWith(user, token, 'Wrong-Password-1');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Invalid identifier or password');
  });

  it("gives a session that is not fresh: a sensitive change still needs a code", async () => {
    await nextSecond();
    const res = await loginWith(user, token);
    expectPlainLogin(res);
    const codes = await app.http().post('/api/two-factor/backup-codes').set(bearer(res.body.jwt)).send({});
    expect(codes.status).toBe(403);
    expect(codes.body.error.details.code).toBe('STEP_UP_REQUIRED');
  });

  it("ignores another user's token, and audits it", async () => {
    const other = await twoFaUser('other');
    expectTwoFaRequired(await loginWith(other, token));
    const [event] = await events(other.id, 'device.rejected');
    expect(event.details).toEqual({ reason: 'other-user' });
  });

  it('serves 20 parallel logins with one token alike', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => loginWith(user, token)));
    for (const res of answers) expectPlainLogin(res);
  });

  it('ignores any malformed token, never with a 5xx', async () => {
    const tokens: unknown[] = [
      randomBytes(32).toString('base64url'),
      'x'.repeat(100_000),
      '',
      '../../etc/passwd',
      "' OR 1=1 --",
      { $ne: null },
      ['a', 'b'],
      12345,
      true,
      null,
    ];
    for (const deviceToken of tokens) {
      const res = await app.http().post('/api/auth/local').send({ identifier: user.email, password: PASSWORD, deviceToken });
      expect(res.status, JSON.stringify(deviceToken).slice(0, 40)).toBeLessThan(500);
      expectTwoFaRequired(res);
    }
    for (const header of [randomBytes(200).toString('hex'), 'not a token', token.slice(1)]) {
      expectTwoFaRequired(await loginWith(user, header));
    }
    const res = await app.http().post('/api/auth/local').set('Cookie', `strapi_two_factor_device=${encodeURIComponent('{"$ne":1}')}`).send({ identifier: user.email, password: PASSWORD });
    expectTwoFaRequired(res);
    const compat = await app.http().post('/api/authentication/local').send({ email: user.email, password: PASSWORD, deviceToken: { a: 1 } });
    expectTwoFaRequired(compat);
  });
});

describe('trust ends', () => {
  it('when the device expires, or the operator lowers days below its age', async () => {
    const user = await twoFaUser();
    const token = await trusted(user);
    const [row] = await rowsOf(user.id);
    await app.strapi.db.query(DEVICE).update({ where: { id: row.id }, data: { createdAt: new Date(Date.now() - 10 * 86_400_000) } });
    expectPlainLogin(await loginWith(user, token));
    await withTrust({ enabled: true, days: 5 }, async () => {
      expectTwoFaRequired(await loginWith(user, token));
    });
    expectPlainLogin(await loginWith(user, token));
    await app.strapi.db.query(DEVICE).update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectTwoFaRequired(await loginWith(user, token));
    expect((await events(user.id, 'device.rejected')).map((e: any) => e.details.reason)).toEqual(['expired', 'expired']);
  });

  it('while the operator has the setting off', async () => {
    const user = await twoFaUser();
    const token = await trusted(user);
    await withTrust({ enabled: false, days: 30 }, async () => {
      expectTwoFaRequired(await loginWith(user, token));
    });
    const [event] = await events(user.id, 'device.rejected');
    expect(event.details).toEqual({ reason: 'disabled' });
  });

  it('when the password changes', async () => {
    const user = await twoFaUser();
    const token = await trusted(user);
    const newPassword = 'Another-Horse-7';
    await app.strapi.plugin('users-permissions').service('user').edit(user.id, { password: newPassword });
    expectTwoFaRequired(await loginWith(user, token, newPassword));
    const [event] = await events(user.id, 'device.rejected');
    expect(event.details).toEqual({ reason: 'password-changed' });
  });

  it('when two-factor is disabled (the devices are deleted)', async () => {
    const user = await twoFaUser();
    const token = await trusted(user);
    const res = await app.http().post('/api/two-factor/disable').set(bearer(user.jwt)).send({ code: codeAt(user.secret, 1) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await rowsOf(user.id)).toHaveLength(0);
    // Enrolled again, the old token opens nothing.
    const again = { ...user, ...(await enrolTotp(app, user)) };
    expectTwoFaRequired(await loginWith(again, token));
  });

  it("when an admin resets the user or revokes the user's devices", async () => {
    const admin = await adminToken(app.http, SUPER.email, SUPER.password);
    const user = await twoFaUser();
    const token = await trusted(user);
    await trusted(user);
    const list = await app.http().get('/two-factor/users').query({ search: user.email }).set(bearer(admin));
    expect(list.body.results[0].devices).toBe(2);

    const revoke = await app.http().post(`/two-factor/users/${user.id}/revoke-devices`).set(bearer(admin));
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(200);
    expect(revoke.body).toEqual({ id: user.id, devices: 0 });
    expect(await rowsOf(user.id)).toHaveLength(0);
    expectTwoFaRequired(await loginWith(user, token));
    const [event] = await events(user.id, 'device.revoked');
    expect(event.details).toMatchObject({ count: 2, all: true, adminId: expect.any(Number) });
    expect((await app.http().post('/two-factor/users/999999/revoke-devices').set(bearer(admin))).status).toBe(404);

    await trusted(user);
    const reset = await app.http().post(`/two-factor/users/${user.id}/reset`).set(bearer(admin));
    expect(reset.status).toBe(200);
    expect(await rowsOf(user.id)).toHaveLength(0);
  });

  it('when the operator switches the setting off in the admin panel (forgotten, not revived)', async () => {
    const admin = await adminToken(app.http, SUPER.email, SUPER.password);
    const user = await twoFaUser();
    const token = await trusted(user);
    const off = await app.http().put('/two-factor/settings').set(bearer(admin)).send({ trustedDevices: { enabled: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.trustedDevices).toEqual({ enabled: false, days: 30 });
    const on = await app.http().put('/two-factor/settings').set(bearer(admin)).send({ trustedDevices: { enabled: true } });
    expect(on.body.trustedDevices).toEqual({ enabled: true, days: 30 });
    expectTwoFaRequired(await loginWith(user, token));
  });

  it('refuses days outside 1 to 90', async () => {
    const admin = await adminToken(app.http, SUPER.email, SUPER.password);
    for (const days of [0, 91]) {
      const res = await app.http().put('/two-factor/settings').set(bearer(admin)).send({ trustedDevices: { days } });
      expect(res.status).toBe(400);
      expect(res.body.error.details.code).toBe('INVALID_SETTINGS');
    }
    const fraction = await app.http().put('/two-factor/settings').set(bearer(admin)).send({ trustedDevices: { days: 2.5 } });
    expect(fraction.status).toBe(400);
    expect(fraction.body.error.message).toBe('trustedDevices.days must be a whole number');
    const wrongType = await app.http().put('/two-factor/settings').set(bearer(admin)).send({ trustedDevices: { enabled: 'yes' } });
    expect(wrongType.status).toBe(400);
  });
});

describe("the user's own devices", () => {
  it('lists them with `current`, revokes one (only their own) and all (after a step-up)', async () => {
    const user = await twoFaUser();
    const first = await trusted(user);
    const second = await trusted(user);
    await nextSecond();
    const session = (await loginWith(user, first)).body.jwt;
    const list = await app.http().get('/api/two-factor/devices').set(bearer(session)).set('X-Two-Factor-Device', second);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    expect(Object.keys(list.body[0]).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'label', 'lastUsedAt']);
    expect(list.body.map((d: any) => d.current)).toEqual([false, true]);
    expect(list.body[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(first);

    const other = await twoFaUser('other');
    const foreign = await app.http().delete(`/api/two-factor/devices/${list.body[0].id}`).set(bearer(other.jwt));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.details.code).toBe('DEVICE_NOT_FOUND');
    expect((await app.http().delete('/api/two-factor/devices/abc').set(bearer(user.jwt))).status).toBe(404);

    const one = await app.http().delete(`/api/two-factor/devices/${list.body[1].id}`).set(bearer(user.jwt));
    expect(one.status).toBe(200);
    expectTwoFaRequired(await loginWith(user, second));
    expectPlainLogin(await loginWith(user, first));

    const stale = await app.http().delete('/api/two-factor/devices').set(bearer(session));
    expect(stale.status).toBe(403);
    expect(stale.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const all = await app.http().delete('/api/two-factor/devices').set(bearer(session)).set('X-Two-Factor-Code', codeAt(user.secret, 1));
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body).toEqual({ revoked: 1 });
    expectTwoFaRequired(await loginWith(user, first));
    expect((await events(user.id, 'device.revoked')).length).toBe(2);
  });

  it('needs a signed-in user', async () => {
    expect((await app.http().get('/api/two-factor/devices')).status).toBe(403);
  });
});

describe('GraphQL', () => {
  const devicesQuery = '{ twoFactorDevices { id label current } }';

  it('native: twoFactorVerify(trustDevice), then login with the header, list and revoke', async () => {
    const user = await twoFaUser('gqldevice');
    const verified = await ok(
      app,
      'mutation($t: String!, $c: String!) { twoFactorVerify(mfaToken: $t, code: $c, trustDevice: true) { jwt deviceToken } }',
      { t: await pendingLogin(app, user), c: user.backupCodes.pop() }
    );
    const token = verified.twoFactorVerify.deviceToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await nextSecond();
    const login = await app
      .http()
      .post('/graphql')
      .set('X-Two-Factor-Device', token)
      .send({ query: 'mutation($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { jwt } }', variables: { i: user.email, p: PASSWORD } });
    expect(login.body.errors, JSON.stringify(login.body)).toBeUndefined();
    expect(login.body.data.login.jwt).toEqual(expect.any(String));
    // That session is not fresh: forgetting every device needs a code.
    const stale = await gql(app, 'mutation { twoFactorRevokeDevices }', {}, login.body.data.login.jwt);
    expect(stale.body.errors).toHaveLength(1);
    expect(JSON.stringify(stale.body.errors[0].extensions)).toContain('STEP_UP_REQUIRED');
    const plain = await ok(
      app,
      'mutation($t: String!, $c: String!) { twoFactorVerify(mfaToken: $t, code: $c) { deviceToken } }',
      { t: await pendingLogin(app, user), c: user.backupCodes.pop() }
    );
    expect(plain.twoFactorVerify.deviceToken).toBeNull();

    const list = await ok(app, devicesQuery, {}, user.jwt);
    expect(list.twoFactorDevices).toHaveLength(1);
    const revoked = await ok(app, 'mutation($id: ID!) { twoFactorRevokeDevice(id: $id) }', { id: list.twoFactorDevices[0].id }, user.jwt);
    expect(revoked.twoFactorRevokeDevice).toBe(String(list.twoFactorDevices[0].id));
    expect((await ok(app, devicesQuery, {}, user.jwt)).twoFactorDevices).toHaveLength(0);
    const all = await ok(app, 'mutation($c: String) { twoFactorRevokeDevices(code: $c) }', { c: codeAt(user.secret, 1) }, user.jwt);
    expect(all.twoFactorRevokeDevices).toBe(0);
  });

  it('Craft: verifyTwoFactor(trustDevice), then authenticate with the header', async () => {
    const user = await twoFaUser('craftdevice');
    const verified = await ok(
      app,
      'mutation($e: String!, $p: String!, $c: String!) { verifyTwoFactor(email: $e, password: $p, code: $c, trustDevice: true) { jwt deviceToken } }',
      { e: user.email, p: PASSWORD, c: user.backupCodes.pop() }
    );
    const token = verified.verifyTwoFactor.deviceToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const auth = await app
      .http()
      .post('/graphql')
      .set('X-Two-Factor-Device', token)
      .send({ query: 'mutation($e: String!, $p: String!) { authenticate(email: $e, password: $p) { jwt requiresTwoFactor } }', variables: { e: user.email, p: PASSWORD } });
    expect(auth.body.data.authenticate.requiresTwoFactor).toBe(false);
    expect(auth.body.data.authenticate.jwt).toEqual(expect.any(String));
    const without = await ok(app, 'mutation($e: String!, $p: String!) { authenticate(email: $e, password: $p) { requiresTwoFactor } }', { e: user.email, p: PASSWORD });
    expect(without.authenticate.requiresTwoFactor).toBe(true);
  });

  it('NYYU: confirm2FA(trustDevice), then signin with the cookie', async () => {
    const user = await twoFaUser('nyyudevice');
    const signin = 'mutation($e: String!, $p: String!) { signin(email: $e, password: $p) { status token } }';
    const first = await ok(app, signin, { e: user.email, p: PASSWORD });
    expect(first.signin.status).toBe('2FA');
    const confirmed = await ok(
      app,
      'mutation($e: String!, $t: String!, $c: [TwoFAEntry]!) { confirm2FA(email: $e, token: $t, code: $c, trustDevice: true) { status token deviceToken } }',
      { e: user.email, t: first.signin.token, c: [{ key: 'app', value: codeAt(user.secret, 1) }] }
    );
    expect(confirmed.confirm2FA.status).toBe('Success');
    const token = confirmed.confirm2FA.deviceToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await app.http().post('/graphql').set('Cookie', `strapi_two_factor_device=${token}`).send({ query: signin, variables: { e: user.email, p: PASSWORD } });
    expect(again.body.data.signin.status).toBe('Success');
  });
});
