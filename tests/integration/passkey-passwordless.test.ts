import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { PASSWORD, passwordLogin, registerUser, updateSettings } from '../helpers/flows';
import { createUser, ensureRole } from '../helpers/admin';
import { PASSKEY_ENV, authenticator, enablePasskeys, withPasskey } from '../helpers/passkey-flows';
import type { SoftAuthenticator } from '../helpers/soft-authenticator';

/**
 * Passwordless sign-in with a passkey (docs/security.md, Passkeys): off by default, user
 * verification required, and then both factors; the account is refused as the password login
 * refuses it. The suite runs Users & Permissions in refresh mode: the answer is its login's.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp({ ...PASSKEY_ENV, JWT_MANAGEMENT: 'refresh' });
  await enablePasskeys(app, { passwordless: true });
});
afterAll(async () => {
  await app?.stop();
});

const options = () => app.http().post('/api/two-factor/passkeys/login/options').send();
const signIn = (response: unknown) => app.http().post('/api/two-factor/passkeys/login').send({ response });

/** A user with a passkey of `device` (registered as their first factor). */
async function userWithPasskey(prefix: string, device: SoftAuthenticator = authenticator()) {
  const user = await registerUser(app, prefix);
  await withPasskey(app, user, device);
  return { user, device };
}

async function signInWith(device: SoftAuthenticator, bend: Parameters<SoftAuthenticator['assert']>[2] = {}) {
  const opts = await options();
  expect(opts.status, JSON.stringify(opts.body)).toBe(200);
  return signIn(device.assert(opts.body, device.credentials[0], bend));
}

describe('switched off', () => {
  it('answers 403 PASSWORDLESS_OFF on both routes (the default)', async () => {
    const { device } = await userWithPasskey('pwoff');
    await enablePasskeys(app, { passwordless: false });
    try {
      const opts = await options();
      expect(opts.status).toBe(403);
      expect(opts.body.error.details.code).toBe('PASSWORDLESS_OFF');
      const res = await signIn(device.assert({ challenge: 'AAAA' }, device.credentials[0]));
      expect(res.status).toBe(403);
      expect(res.body.error.details.code).toBe('PASSWORDLESS_OFF');
    } finally {
      await enablePasskeys(app, { passwordless: true });
    }
  });

  it('is off by default in a fresh settings store', async () => {
    const defaults = await app.strapi.plugin('two-factor').service('settings').get();
    expect(defaults.passkeys).toEqual({ passwordless: true });
    // (This suite switched it on; the default is read from an empty store.)
    const store = app.strapi.store({ type: 'plugin', name: 'two-factor', key: 'settings' });
    const saved = await store.get({});
    await store.set({ value: {} });
    try {
      expect((await app.strapi.plugin('two-factor').service('settings').get({ fresh: true })).passkeys).toEqual({ passwordless: false });
      expect((await app.strapi.plugin('two-factor').service('settings').get({ fresh: true })).methods.passkey).toBe(false);
    } finally {
      await store.set({ value: saved });
      await app.strapi.plugin('two-factor').service('settings').get({ fresh: true });
    }
  });
});

describe('switched on', () => {
  it('options ask for a discoverable credential with user verification', async () => {
    const res = await options();
    expect(res.status).toBe(200);
    expect(res.body.rpId).toBe('localhost');
    expect(res.body.allowCredentials).toEqual([]);
    expect(res.body.userVerification).toBe('required');
  });

  it("answers the users-permissions login (refresh mode: refreshToken), with the same keys as a password login's", async () => {
    const { user, device } = await userWithPasskey('pwok');
    const res = await signInWith(device);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.jwt).toEqual(expect.any(String));
    expect(res.body.refreshToken).toEqual(expect.any(String));
    expect(res.body.user).toEqual(expect.objectContaining({ id: user.id, email: user.email }));
    const plain = await registerUser(app, 'pwplain');
    const login = await passwordLogin(app, plain.email);
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(login.body).sort());
    expect(Object.keys(res.body.user).sort()).toEqual(Object.keys(login.body.user).sort());
    const me = await app.http().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.body.id).toBe(user.id);
    // Both factors: the session is fresh for a step-up.
    const fresh = await app.http().post('/api/two-factor/backup-codes').set('Authorization', `Bearer ${res.body.jwt}`).send({});
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    const events = await app.strapi.db.query('plugin::two-factor.event').findMany({ where: { userId: user.id, type: 'verify.succeeded' } });
    expect(events.at(-1)).toEqual(expect.objectContaining({ method: 'passkey', details: { passwordless: true } }));
  });

  it('refuses an assertion without user verification (UV)', async () => {
    const { device } = await userWithPasskey('pwnouv');
    const res = await signInWith(device, { uv: false });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('PASSKEY_INVALID');
  });

  it('refuses a replay, an unknown credential, another origin; a counter that went back is audited', async () => {
    const { user, device } = await userWithPasskey('pwreplay');
    const opts = await options();
    const assertion = device.assert(opts.body, device.credentials[0]);
    expect((await signIn(assertion)).status).toBe(200);
    expect((await signIn(assertion)).body.error.details.code).toBe('PASSKEY_INVALID');
    const stranger = authenticator();
    stranger.register({ challenge: 'x', rp: { id: 'localhost' } });
    expect((await signInWith(stranger)).body.error.details.code).toBe('PASSKEY_INVALID');
    expect((await signInWith(device, { origin: 'https://evil.example' })).body.error.details.code).toBe('PASSKEY_INVALID');
    const regression = await signInWith(device, { counter: 1 });
    expect(regression.status).toBe(400);
    expect(regression.body.error.details.code).toBe('PASSKEY_COUNTER_REGRESSION');
    const audited = await app.strapi.db.query('plugin::two-factor.event').findMany({ where: { userId: user.id, type: 'passkey.counter_regression' } });
    expect(audited).toHaveLength(1);
  });

  it('20 parallel submissions of one assertion give exactly one JWT', async () => {
    const { device } = await userWithPasskey('pwparallel');
    const opts = await options();
    const assertion = device.assert(opts.body, device.credentials[0]);
    const results = await Promise.all(Array.from({ length: 20 }, () => signIn(assertion)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.jwt)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(19);
  });

  it('fuzzed responses answer 4xx, never 5xx', async () => {
    const { device } = await userWithPasskey('pwfuzz');
    const opts = await options();
    const good = device.assert(opts.body, device.credentials[0]);
    const bodies: unknown[] = [
      {},
      { response: null },
      { response: 'x' },
      { response: [] },
      { response: {} },
      { response: { ...good, id: 7 } },
      { response: { ...good, id: {} } },
      { response: { ...good, response: null } },
      { response: { ...good, response: { ...good.response, signature: 5 } } },
      { response: { ...good, response: { ...good.response, clientDataJSON: '!!' } } },
      { response: { ...good, response: { ...good.response, authenticatorData: '' } } },
      { response: { ...good, id: 'A'.repeat(5000) } },
    ];
    for (const body of bodies) {
      const res = await app.http().post('/api/two-factor/passkeys/login').send(body as object);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBeLessThan(500);
    }
  });
});

describe('refresh mode, as the second factor', () => {
  it("the passkey verify answers the refresh-mode login, as every verify does", async () => {
    const { user, device } = await userWithPasskey('pwverify');
    const login = await passwordLogin(app, user.email);
    expect(login.body.methods).toEqual(['passkey', 'backup_code']);
    const challenge = await app.http().post('/api/two-factor/passkeys/challenge').send({ mfaToken: login.body.mfaToken });
    const res = await app
      .http()
      .post('/api/two-factor/verify')
      .send({ mfaToken: login.body.mfaToken, method: 'passkey', response: device.assert(challenge.body) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.jwt).toEqual(expect.any(String));
    expect(res.body.refreshToken).toEqual(expect.any(String));
    const renewed = await app.http().post('/api/auth/refresh').send({ refreshToken: res.body.refreshToken });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
  });
});

describe('the rules of a password login', () => {
  it('a blocked user is refused as the password login refuses them', async () => {
    const { user, device } = await userWithPasskey('pwblocked');
    await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { blocked: true } });
    const password = await passwordLogin(app, user.email);
    const res = await signInWith(device);
    expect(res.body.jwt).toBeUndefined();
    expect(res.status).toBe(password.status);
    expect(res.body.error.message).toBe(password.body.error.message);
    expect(res.body.error.message).toBe('Your account has been blocked by an administrator');
  });

  it('an unconfirmed email is refused when users-permissions asks for confirmation', async () => {
    const { user, device } = await userWithPasskey('pwunconfirmed');
    const store = app.strapi.store({ type: 'plugin', name: 'users-permissions' });
    const advanced = (await store.get({ key: 'advanced' })) as Record<string, unknown>;
    await store.set({ key: 'advanced', value: { ...advanced, email_confirmation: true } });
    try {
      await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { confirmed: false } });
      const password = await passwordLogin(app, user.email);
      const res = await signInWith(device);
      expect(res.body.jwt).toBeUndefined();
      expect(res.status).toBe(password.status);
      expect(res.body.error.message).toBe(password.body.error.message);
      expect(res.body.error.message).toBe('Your account email is not confirmed');
    } finally {
      await store.set({ key: 'advanced', value: advanced });
    }
  });

  it('a user of a role that requires 2FA signs in: a passkey with UV counts as both factors', async () => {
    await ensureRole(app.strapi, 'staff', 'Staff');
    await updateSettings(app, { enforcedRoles: ['staff'] });
    try {
      const email = `pwstaff${Date.now()}@example.com`;
      await createUser(app.strapi, { username: `pwstaff${Date.now()}`, email, password: PASSWORD, roleType: 'staff' });
      const setup = await passwordLogin(app, email);
      expect(setup.body.twoFaSetupRequired).toBe(true);
      const device = authenticator();
      const opts = await app.http().post('/api/two-factor/passkeys/options').send({ mfaToken: setup.body.mfaToken });
      const added = await app.http().post('/api/two-factor/passkeys').send({ mfaToken: setup.body.mfaToken, response: device.register(opts.body).response });
      expect(added.status, JSON.stringify(added.body)).toBe(200);
      const res = await signInWith(device);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.jwt).toEqual(expect.any(String));
      expect(res.body.user.email).toBe(email);
    } finally {
      await updateSettings(app, { enforcedRoles: [] });
    }
  });
});
