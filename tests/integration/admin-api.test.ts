import { describe, it, expect, beforeAll } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import type { MailServer } from '../helpers/mail-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { PLUGIN_ACTIONS, adminToken, createAdmin, createUser, enrolTotp, ensureRole, login } from '../helpers/admin';
import { totpCode } from '../../server/src/core';

/**
 * The admin API (docs/admin.md) against a real Strapi: RBAC on every route, settings validation,
 * role enforcement and method switches as the content API sees them, the users list, the
 * audited admin reset with its notice, and the audit log.
 */
const SUPER = { email: 'super@example.com', password: 'SuperPassw0rd!' };
const PASSWORD = 'UserPassw0rd!';

let app: TestApp;
let mail: MailServer;
let superToken: string;

const as = (token: string) => ({
  get: (path: string) => app.http().get(path).set('Authorization', `Bearer ${token}`),
  put: (path: string, body: unknown) => app.http().put(path).set('Authorization', `Bearer ${token}`).send(body as object),
  post: (path: string, body: unknown = {}) => app.http().post(path).set('Authorization', `Bearer ${token}`).send(body as object),
});
const admin = () => as(superToken);

useDeliveryApp({ sms: false, env: { ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password } }, async (delivery) => {
  ({ app, mail } = delivery);
  superToken = await adminToken(app.http, SUPER.email, SUPER.password);
});

const ROUTES: [string, string][] = [
  ['get', '/two-factor/settings'],
  ['put', '/two-factor/settings'],
  ['get', '/two-factor/users'],
  ['post', '/two-factor/users/1/reset'],
  ['post', '/two-factor/users/1/unlock'],
  ['post', '/two-factor/users/1/revoke-devices'],
  ['get', '/two-factor/events'],
];

describe('RBAC (docs/security.md L6)', () => {
  it('refuses every route without an admin session', async () => {
    for (const [method, path] of ROUTES) {
      const res = await (app.http() as any)[method](path).send({});
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it('refuses every route, 403, to an admin whose role lacks the plugin permissions', async () => {
    await createAdmin(app.strapi, { email: 'editor@example.com', password: 'EditorPassw0rd!', roleName: 'No two-factor', actions: [] });
    const editor = as(await adminToken(app.http, 'editor@example.com', 'EditorPassw0rd!'));
    for (const [method, path] of ROUTES) {
      const res = await (editor as any)[method](path, {});
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(JSON.stringify(res.body)).not.toMatch(/enforcedRoles|backupCodesRemaining|"type":"/);
    }
  });

  it('grants each action on its own: settings read without update, users read without reset', async () => {
    await createAdmin(app.strapi, {
      email: 'reader@example.com',
      password: 'ReaderPassw0rd!',
      roleName: 'Two-factor readers',
      actions: ['plugin::two-factor.settings.read', 'plugin::two-factor.users.read'],
    });
    const reader = as(await adminToken(app.http, 'reader@example.com', 'ReaderPassw0rd!'));
    expect((await reader.get('/two-factor/settings')).status).toBe(200);
    expect((await reader.put('/two-factor/settings', { issuer: 'Nope' })).status).toBe(403);
    expect((await reader.get('/two-factor/users')).status).toBe(200);
    expect((await reader.post('/two-factor/users/1/reset')).status).toBe(403);
    expect((await reader.get('/two-factor/events')).status).toBe(403);
    expect((await admin().get('/two-factor/settings')).body.issuer).toBe('Strapi');
  });

  it('registers the five actions with the admin permission system', async () => {
    const res = await admin().get('/admin/permissions');
    expect(res.status).toBe(200);
    const actions = JSON.stringify(res.body);
    for (const action of PLUGIN_ACTIONS) expect(actions).toContain(action);
  });
});

describe('settings', () => {
  it('answers the settings, SMS availability, the roles and the limits', async () => {
    const res = await admin().get('/two-factor/settings');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      enabled: true,
      methods: { totp: true, email: true, sms: true },
      enforcedRoles: [],
      issuer: 'Strapi',
      codeLifetime: 600,
      maxFailures: 10,
      lockDuration: 900,
      codeAttempts: 5,
      backupCodeCount: 10,
      totpWindow: 1,
      smsAvailable: true,
      limits: { codeLifetime: [60, 600], totpWindow: [0, 2] },
    });
    expect(res.body.roles.map((r: any) => r.type)).toEqual(expect.arrayContaining(['authenticated', 'public']));
  });

  it('saves a change and keeps it; the GET answer can be sent back as it is', async () => {
    const res = await admin().put('/two-factor/settings', { issuer: 'Acme', codeLifetime: 300, backupCodeCount: 12 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ issuer: 'Acme', codeLifetime: 300, backupCodeCount: 12, maxFailures: 10 });
    const again = await admin().get('/two-factor/settings');
    expect(again.body).toMatchObject({ issuer: 'Acme', codeLifetime: 300, backupCodeCount: 12 });
    const roundTrip = await admin().put('/two-factor/settings', again.body);
    expect(roundTrip.status).toBe(200);
    expect(roundTrip.body).toEqual(again.body);
  });

  const refused: [string, unknown, RegExp][] = [
    ['a code lifetime over 10 minutes', { codeLifetime: 601 }, /codeLifetime must be a whole number from 60 to 600/],
    ['a negative lock time', { lockDuration: -5 }, /lockDuration must be a whole number from 60 to 86400/],
    ['a TOTP window of 3', { totpWindow: 3 }, /totpWindow must be a whole number from 0 to 2/],
    ['a fractional count', { backupCodeCount: 10.5 }, /backupCodeCount must be a whole number/],
    ['a number as a string', { maxFailures: '10' }, /maxFailures must be a number/],
    ['an unknown role', { enforcedRoles: ['authenticated', 'ghost'] }, /Unknown roles: ghost/],
    ['an unknown method', { methods: { totp: true, fax: true } }, /Unknown methods: fax/],
    ['a method switched with a string', { methods: { email: 'yes' } }, /methods.email must be true or false/],
    ['an unknown setting', { issuer: 'X', colour: 'blue' }, /Unknown settings: colour/],
    ['an empty issuer', { issuer: '   ' }, /issuer must be 1 to 64 characters/],
    ['a required role with every method off', { enforcedRoles: ['authenticated'], methods: { totp: false, email: false, sms: false } }, /at least one method/],
    ['a body that is not an object', ['issuer'], /JSON object|must be/],
  ];
  for (const [what, body, message] of refused) {
    it(`refuses ${what} with a clear 400 and saves nothing`, async () => {
      const before = (await admin().get('/two-factor/settings')).body;
      const res = await admin().put('/two-factor/settings', body);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('ValidationError');
      expect(res.body.error.message).toMatch(message);
      expect((await admin().get('/two-factor/settings')).body).toEqual(before);
    });
  }

  it('names every problem of one request', async () => {
    const res = await admin().put('/two-factor/settings', { codeLifetime: 1, totpWindow: 9, enforcedRoles: ['ghost'] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/codeLifetime/);
    expect(res.body.error.message).toMatch(/totpWindow/);
    expect(res.body.error.message).toMatch(/Unknown roles: ghost/);
  });
});

describe('methods and required roles, as the content API sees them', () => {
  it('a method switched off refuses new enrolments, and users who have it keep needing it', async () => {
    await createUser(app.strapi, { username: 'has-totp', email: 'has-totp@example.com', password: PASSWORD });
    await createUser(app.strapi, { username: 'no-totp', email: 'no-totp@example.com', password: PASSWORD });
    const enrolled = await enrolTotp(app.http, (await login(app.http, 'has-totp', PASSWORD)).body.jwt);

    expect((await admin().put('/two-factor/settings', { methods: { totp: false } })).status).toBe(200);
    const jwt = (await login(app.http, 'no-totp', PASSWORD)).body.jwt;
    const refused = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${jwt}`).send({ method: 'totp' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('Authenticator app two-factor is not enabled on this site');

    // Never a silent way around 2FA: the existing factor still gates the login and still works.
    const pending = await login(app.http, 'has-totp', PASSWORD);
    expect(pending.body).toMatchObject({ twoFaRequired: true, methods: expect.arrayContaining(['totp']) });
    expect(pending.body.jwt).toBeUndefined();
    const verified = await app.http().post('/api/two-factor/verify').send({ mfaToken: pending.body.mfaToken, code: totpCode(enrolled.secret, { time: Date.now() / 1000 + 30 }) });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.jwt).toEqual(expect.any(String));

    expect((await admin().put('/two-factor/settings', { methods: { totp: true } })).status).toBe(200);
    expect((await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${jwt}`).send({ method: 'totp' })).status).toBe(200);
  });

  it('a required role gets the setup-required answer, can only enrol, and its first factor completes the login', async () => {
    await ensureRole(app.strapi, 'staff', 'Staff');
    await createUser(app.strapi, { username: 'staffer', email: 'staffer@example.com', password: PASSWORD, roleType: 'staff' });
    await createUser(app.strapi, { username: 'outsider', email: 'outsider@example.com', password: PASSWORD });
    expect((await admin().put('/two-factor/settings', { enforcedRoles: ['staff'] })).status).toBe(200);

    const setup = await login(app.http, 'staffer', PASSWORD);
    expect(setup.status).toBe(200);
    expect(setup.body).toMatchObject({ message: '2FA setup required', twoFaSetupRequired: true, mfaToken: expect.any(String) });
    expect(setup.body.jwt).toBeUndefined();
    expect(setup.body.user).toBeUndefined();
    // The setup token opens enrolment and nothing else.
    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${setup.body.mfaToken}`);
    expect([401, 403]).toContain(status.status);

    const enable = await app.http().post('/api/two-factor/enable').send({ method: 'totp', mfaToken: setup.body.mfaToken });
    expect(enable.status).toBe(200);
    const confirm = await app.http()
      .post('/api/two-factor/confirm')
      .send({ method: 'totp', code: totpCode(enable.body.secret), mfaToken: setup.body.mfaToken });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toMatchObject({ jwt: expect.any(String), user: { username: 'staffer' }, backupCodes: expect.any(Array) });

    expect((await login(app.http, 'staffer', PASSWORD)).body).toMatchObject({ twoFaRequired: true });
    // A role that is not required logs in as before.
    expect((await login(app.http, 'outsider', PASSWORD)).body.jwt).toEqual(expect.any(String));

    expect((await admin().put('/two-factor/settings', { enforcedRoles: [] })).status).toBe(200);
  });
});

describe('users', () => {
  let locked: any;
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) {
      await createUser(app.strapi, { username: `pager${i}`, email: `pager${i}@paging.test`, password: PASSWORD });
    }
    locked = await createUser(app.strapi, { username: 'locked', email: 'locked@example.com', password: PASSWORD });
    await enrolTotp(app.http, (await login(app.http, 'locked', PASSWORD)).body.jwt);
    await admin().put('/two-factor/settings', { maxFailures: 3 });
    const pending = await login(app.http, 'locked', PASSWORD);
    for (let i = 0; i < 3; i++) {
      await app.http().post('/api/two-factor/verify').send({ mfaToken: pending.body.mfaToken, code: '000000' });
    }
    await admin().put('/two-factor/settings', { maxFailures: 10 });
  });

  it('lists users with their confirmed methods, backup codes left and lock', async () => {
    const res = await admin().get('/two-factor/users?search=locked');
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1);
    expect(res.body.results[0]).toMatchObject({
      id: locked.id,
      username: 'locked',
      email: 'locked@example.com',
      role: { type: 'authenticated' },
      methods: ['totp'],
      backupCodesRemaining: 12,
    });
    expect(Date.parse(res.body.results[0].lockedUntil)).toBeGreaterThan(Date.now());
    expect(JSON.stringify(res.body)).not.toMatch(/password|secret|hash/i);
  });

  it('searches by username or email and pages', async () => {
    const page1 = await admin().get('/two-factor/users?search=PAGING.test&pageSize=2');
    expect(page1.body.pagination).toEqual({ page: 1, pageSize: 2, total: 5, pageCount: 3 });
    const page3 = await admin().get('/two-factor/users?search=paging.test&pageSize=2&page=3');
    expect(page3.body.results.map((u: any) => u.username)).toEqual(['pager4']);
    expect((await admin().get('/two-factor/users?search=pager2')).body.results.map((u: any) => u.email)).toEqual(['pager2@paging.test']);
    const none = await admin().get('/two-factor/users?search=nobody-at-all');
    expect(none.body).toMatchObject({ results: [], pagination: { total: 0 } });
  });

  it('refuses bad paging with a 400', async () => {
    for (const query of ['pageSize=1000', 'page=0', 'page=abc', 'pageSize=1.5']) {
      const res = await admin().get(`/two-factor/users?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toMatch(/page/);
    }
  });

  it('resets a user: factors, codes, lock and pending logins go, the event is logged, the user is told', async () => {
    await app.strapi.plugin('two-factor').service('throttle').clear(locked.id);
    const pending = await login(app.http, 'locked', PASSWORD);
    expect(pending.body.twoFaRequired).toBe(true);

    const res = await admin().post(`/two-factor/users/${locked.id}/reset`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: locked.id, methods: [], backupCodesRemaining: 0, lockedUntil: null });

    const listed = (await admin().get('/two-factor/users?search=locked')).body.results[0];
    expect(listed).toMatchObject({ methods: [], backupCodesRemaining: 0, lockedUntil: null });
    // The pending login from before the reset is dead (J5); the next login needs no code.
    const stale = await app.http().post('/api/two-factor/verify').send({ mfaToken: pending.body.mfaToken, code: '123456' });
    expect(stale.status).toBe(401);
    expect((await login(app.http, 'locked', PASSWORD)).body.jwt).toEqual(expect.any(String));

    const events = (await admin().get(`/two-factor/events?type=admin.reset&user=${locked.id}`)).body.results;
    expect(events).toHaveLength(1);
    const adminId = (await app.strapi.db.query('admin::user').findOne({ where: { email: SUPER.email } })).id;
    expect(events[0]).toMatchObject({ type: 'admin.reset', userId: locked.id, details: { adminId }, user: { username: 'locked' } });
    const [notice] = await mail.waitForNotices('locked@example.com', { event: 'admin.reset' });
    expect(notice).toMatchObject({ notice: 'admin.reset', subject: 'Your two-factor authentication was reset' });
    expect(notice.text).toMatch(/An administrator of .* reset the two-factor authentication of your account/);
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    const missing = await admin().post('/two-factor/users/999999/reset');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('User not found');
    const bad = await admin().post('/two-factor/users/abc/reset');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/id must be a user id/);
  });
});

describe('audit log', () => {
  it('lists events newest first, with who they concern, and never a code or a secret', async () => {
    const res = await admin().get('/two-factor/events?pageSize=100');
    expect(res.status).toBe(200);
    const { results, pagination } = res.body;
    expect(pagination.total).toBeGreaterThan(10);
    const times = results.map((e: any) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const types = new Set(results.map((e: any) => e.type));
    for (const type of ['enrolment.started', 'method.added', 'enabled', 'login.challenged', 'verify.succeeded', 'verify.failed', 'lockout', 'admin.reset']) {
      expect(types, type).toContain(type);
    }
    const failed = results.find((e: any) => e.type === 'verify.failed');
    expect(failed).toMatchObject({ ip: expect.any(String), user: { username: expect.any(String) } });
    expect(JSON.stringify(results)).not.toMatch(/000000|otpauth|"secret"/);
  });

  it('filters by type and by user (id, username or email)', async () => {
    const lockouts = (await admin().get('/two-factor/events?type=lockout')).body.results;
    expect(lockouts.length).toBeGreaterThan(0);
    expect(lockouts.every((e: any) => e.type === 'lockout')).toBe(true);

    const byName = (await admin().get('/two-factor/events?user=staffer')).body;
    const byEmail = (await admin().get('/two-factor/events?user=STAFFER@example.com')).body;
    const id = byName.results[0].userId;
    const byId = (await admin().get(`/two-factor/events?user=${id}`)).body;
    expect(byName.pagination.total).toBeGreaterThan(0);
    expect(byEmail).toEqual(byName);
    expect(byId).toEqual(byName);
    expect(byName.results.every((e: any) => e.user.username === 'staffer')).toBe(true);

    expect((await admin().get('/two-factor/events?user=nobody')).body).toMatchObject({ results: [], pagination: { total: 0 } });
  });

  it('pages and refuses an unknown type', async () => {
    const all = (await admin().get('/two-factor/events?pageSize=100')).body.results;
    const second = (await admin().get('/two-factor/events?pageSize=3&page=2')).body;
    expect(second.results.map((e: any) => e.id)).toEqual(all.slice(3, 6).map((e: any) => e.id));
    const bad = await admin().get('/two-factor/events?type=coffee');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/type must be one of/);
  });
});

describe('query parameters of the admin lists', () => {
  it('answers 400, never 500, for a filter or page that is not the documented type', async () => {
    const queries = [
      ['/two-factor/users?search[$ne]=1', /search must be a string/],
      ['/two-factor/users?search=a&search=b', /search must be a string/],
      ['/two-factor/users?page[$gt]=1', /page must be a number/],
      ['/two-factor/events?user[$ne]=1', /user must be a string/],
      ['/two-factor/events?type[$in][0]=enabled', /type must be a string/],
      ['/two-factor/events?pageSize[$lt]=5', /pageSize must be a number/],
    ] as const;
    for (const [path, message] of queries) {
      const res = await admin().get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.message, path).toMatch(message);
    }
  });
});

describe("the plugin's records are not content", () => {
  it("the content manager's API refuses them, even to a super admin", async () => {
    // Every content type the plugin registers.
    const TYPES = Object.keys(app.strapi.contentTypes).filter((uid) => uid.startsWith('plugin::two-factor.'));
    expect(TYPES).toEqual(expect.arrayContaining(['plugin::two-factor.factor', 'plugin::two-factor.challenge', 'plugin::two-factor.throttle']));
    const user = await createUser(app.strapi, { username: 'cm-target', email: 'cm-target@example.com', password: PASSWORD });
    await enrolTotp(app.http, (await login(app.http, 'cm-target@example.com', PASSWORD)).body.jwt);
    for (const uid of TYPES) {
      for (const path of [
        `/content-manager/collection-types/${uid}`,
        `/content-manager/collection-types/${uid}/1`,
        `/content-manager/content-types/${uid}/configuration`,
      ]) {
        const res = await admin().get(path);
        expect(res.status, path).toBe(403);
        expect(res.body.error.message, path).toMatch(/not content/);
      }
      const create = await admin().post(`/content-manager/collection-types/${uid}`, { userId: user.id });
      expect(create.status, uid).toBe(403);
    }
    // Their schemas are listed as not displayed (the panel shows no link), and the rest of the
    // content manager works as before.
    const listed = (await admin().get('/content-manager/content-types')).body.data.filter((t: any) => t.uid.startsWith('plugin::two-factor.'));
    expect(listed.map((t: any) => t.uid).sort()).toEqual([...TYPES].sort());
    expect(listed.every((t: any) => t.isDisplayed === false)).toBe(true);
    const users = await admin().get('/content-manager/collection-types/plugin::users-permissions.user?_q=cm-target');
    expect(users.status).toBe(200);
    expect(JSON.stringify(users.body)).toContain('cm-target@example.com');
  });
});
