import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { adminToken, createAdmin, createUser, ensureRole } from '../helpers/admin';
import { codeAt, enrolTotp, pendingLogin, updateSettings, PASSWORD } from '../helpers/flows';
import { gql } from './graphql-helpers';

/**
 * Required roles with a grace period (settings `enforcementGraceDays`), and the admin unlock that
 * lifts a lock without removing factors.
 */
const SUPER = { email: 'grace-super@example.com', password: 'SuperPassw0rd!' };
const DAY = 86_400_000;

let app: TestApp;
let superToken: string;
beforeAll(async () => {
  app = await startApp({ ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password });
  superToken = await adminToken(app.http, SUPER.email, SUPER.password);
  await ensureRole(app.strapi, 'staff', 'Staff');
});
afterAll(async () => {
  await app?.stop();
});
afterEach(async () => {
  await updateSettings(app, { enforcedRoles: [], enforcementGraceDays: 0 });
});

let counter = 0;
const newUser = async (roleType = 'staff') => {
  counter += 1;
  const username = `grace${counter}${Date.now().toString(36)}`;
  const user = await createUser(app.strapi, { username, email: `${username}@example.com`, password: PASSWORD, roleType });
  return { id: user.id as number, username, email: `${username}@example.com` };
};
const login = (identifier: string) => app.http().post('/api/auth/local').send({ identifier, password: PASSWORD });
const admin = {
  get: (path: string) => app.http().get(path).set('Authorization', `Bearer ${superToken}`),
  post: (path: string) => app.http().post(path).set('Authorization', `Bearer ${superToken}`).send({}),
};
const settingsStore = () => app.strapi.store({ type: 'plugin', name: 'two-factor', key: 'enforced-roles-since' });
const memberships = () => app.strapi.db.query('plugin::two-factor.role-membership');

/** Moves the role's requirement and the user's joining back in time, as if they happened `days` ago. */
async function age(user: { id: number }, roleType: string, days: number) {
  const since = (await settingsStore().get({})) as Record<string, number>;
  await settingsStore().set({ value: { ...since, [roleType]: Date.now() - days * DAY } });
  await memberships().updateMany({ where: { userId: user.id }, data: { since: Date.now() - days * DAY } });
}

describe('a required role with a grace period', () => {
  it('lets a user without a factor sign in and says by when to set one up', async () => {
    const before = await newUser();
    const requiredAt = Date.now();
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 7 });
    const res = await login(before.email);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.jwt).toEqual(expect.any(String));
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'twoFactorSetupRequiredBy', 'user']);
    // In the role before it was required: the deadline counts from the requirement.
    const deadline = Date.parse(res.body.twoFactorSetupRequiredBy);
    expect(deadline).toBeGreaterThanOrEqual(requiredAt + 7 * DAY - 1000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 7 * DAY);
  });

  it('counts from when the user joined the role, when that is later', async () => {
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 7 });
    const since = (await settingsStore().get({})) as Record<string, number>;
    await settingsStore().set({ value: { ...since, staff: Date.now() - 5 * DAY } });
    const mover = await newUser('authenticated');
    // Still in an unrequired role: nothing said.
    const plain = await login(mover.email);
    expect(plain.body.twoFactorSetupRequiredBy).toBeUndefined();
    // Joins the required role now, through users-permissions' own user service.
    const joinedAt = Date.now();
    await app.strapi.plugin('users-permissions').service('user').edit(mover.id, { role: await ensureRole(app.strapi, 'staff') });
    const res = await login(mover.email);
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.twoFactorSetupRequiredBy)).toBeGreaterThanOrEqual(joinedAt + 7 * DAY - 1000);
    // Someone in the role from before: five of the seven days are gone.
    const old = await newUser();
    await memberships().deleteMany({ where: { userId: old.id } });
    const oldRes = await login(old.email);
    expect(Date.parse(oldRes.body.twoFactorSetupRequiredBy)).toBeLessThan(Date.now() + 2 * DAY + 1000);
  });

  it('after the grace period the setup-required flow follows', async () => {
    const user = await newUser();
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 3 });
    await age(user, 'staff', 4);
    const res = await login(user.email);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: '2FA setup required', twoFaSetupRequired: true });
    expect(res.body.jwt).toBeUndefined();
    expect(res.body.twoFactorSetupRequiredBy).toBeUndefined();
  });

  it('0 days: set up at the next login, as before', async () => {
    const user = await newUser();
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 0 });
    expect((await login(user.email)).body.twoFaSetupRequired).toBe(true);
  });

  it('a user with a factor is asked for it, grace period or not; users of other roles are untouched', async () => {
    const user = await newUser();
    const jwt = (await login(user.email)).body.jwt;
    await enrolTotp(app, { ...user, jwt });
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 7 });
    expect((await login(user.email)).body.twoFaRequired).toBe(true);
    const other = await newUser('authenticated');
    const res = await login(other.email);
    expect(res.body.jwt).toEqual(expect.any(String));
    expect(res.body.twoFactorSetupRequiredBy).toBeUndefined();
  });

  it('GraphQL login carries the deadline too', async () => {
    const user = await newUser();
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 7 });
    const res = await gql(app, `mutation($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { jwt twoFactorSetupRequiredBy } }`, {
      i: user.email,
      p: PASSWORD,
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.login.jwt).toEqual(expect.any(String));
    expect(Date.parse(res.body.data.login.twoFactorSetupRequiredBy)).toBeGreaterThan(Date.now() + 6 * DAY);
  });

  it('a wrong password is still refused, without a word about the deadline', async () => {
    const user = await newUser();
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 7 });
    const res = await app.http().post('/api/auth/local').send({ identifier: user.email, password: 'Wrong-Horse-9' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/twoFactorSetupRequiredBy/);
  });

  it('the admin users page shows the deadline', async () => {
    const user = await newUser();
    await updateSettings(app, { enforcedRoles: ['staff'], enforcementGraceDays: 7 });
    const listed = (await admin.get(`/two-factor/users?search=${user.username}`)).body.results[0];
    expect(Date.parse(listed.setupRequiredBy)).toBeGreaterThan(Date.now() + 6 * DAY);
    await updateSettings(app, { enforcementGraceDays: 0 });
    expect((await admin.get(`/two-factor/users?search=${user.username}`)).body.results[0].setupRequiredBy).toBeNull();
  });

  it('refuses a grace period outside 0 to 365 whole days', async () => {
    for (const value of [-1, 366, 1.5, '7']) {
      const res = await app
        .http()
        .put('/two-factor/settings')
        .set('Authorization', `Bearer ${superToken}`)
        .send({ enforcementGraceDays: value });
      expect(res.status, String(value)).toBe(400);
      expect(res.body.error.message).toMatch(/enforcementGraceDays/);
    }
  });
});

describe('admin unlock', () => {
  async function lockedUser() {
    const user = await newUser('authenticated');
    const jwt = (await login(user.email)).body.jwt;
    const { secret } = await enrolTotp(app, { ...user, jwt });
    await updateSettings(app, { maxFailures: 3 });
    const token = await pendingLogin(app, { ...user, jwt });
    for (let i = 0; i < 3; i++) await app.http().post('/api/two-factor/verify').send({ mfaToken: token, code: '000000' });
    const locked = await app.http().post('/api/two-factor/verify').send({ mfaToken: token, code: codeAt(secret) });
    expect(locked.status).toBe(429);
    await updateSettings(app, { maxFailures: 10 });
    return { user, secret };
  }

  it('lifts the lock, keeps the factors, and is audited with the admin', async () => {
    const { user, secret } = await lockedUser();
    const res = await admin.post(`/two-factor/users/${user.id}/unlock`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, methods: ['totp'], lockedUntil: null, backupCodesRemaining: 10 });
    const verify = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, { ...user, jwt: '' }), code: codeAt(secret, 1) });
    expect(verify.status, JSON.stringify(verify.body)).toBe(200);
    const events = (await admin.get(`/two-factor/events?user=${user.id}&type=admin.unlock`)).body.results;
    expect(events).toHaveLength(1);
    expect(events[0].details).toMatchObject({ adminId: expect.any(Number) });
  });

  it('needs the reset permission, and answers 404 for an unknown user', async () => {
    const { user } = await lockedUser();
    await createAdmin(app.strapi, {
      email: 'grace-reader@example.com',
      password: 'ReaderPassw0rd!',
      roleName: 'Grace reader',
      actions: ['plugin::two-factor.users.read'],
    });
    const reader = await adminToken(app.http, 'grace-reader@example.com', 'ReaderPassw0rd!');
    const refused = await app.http().post(`/two-factor/users/${user.id}/unlock`).set('Authorization', `Bearer ${reader}`).send({});
    expect(refused.status).toBe(403);
    expect((await admin.get(`/two-factor/users?search=${user.username}`)).body.results[0].lockedUntil).not.toBeNull();
    expect((await admin.post('/two-factor/users/999999/unlock')).status).toBe(404);
    expect((await admin.post('/two-factor/users/abc/unlock')).status).toBe(400);
    expect((await app.http().post(`/two-factor/users/${user.id}/unlock`).send({})).status).toBe(401);
  });
});
