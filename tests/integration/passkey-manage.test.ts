import { describe, it, expect } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import type { MailServer } from '../helpers/mail-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { codeAt, enrolTotp, passwordLogin, pendingLogin, registerUser, type TestUser } from '../helpers/flows';
import { adminToken } from '../helpers/admin';
import { PASSKEY_ENV, authenticator, enablePasskeys, passkeyChallenge, registerPasskey, verifyPasskey, withPasskey } from '../helpers/passkey-flows';
import type { SoftAuthenticator } from '../helpers/soft-authenticator';

/**
 * A user's own passkeys (docs/rest-api.md, Passkeys): the list, renaming, removing with a
 * step-up (the last one follows disable), the security notices, and the admin's reset.
 */
const SUPER = { email: 'passkey-manage-admin@example.com', password: 'SuperPassw0rd!' };
let app: TestApp;
let mail: MailServer;

useDeliveryApp({ sms: false, env: { ...PASSKEY_ENV, ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password } }, async (delivery) => {
  ({ app, mail } = delivery);
  await enablePasskeys(app);
});

const auth = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });
const list = async (jwt: string) => app.http().get('/api/two-factor/passkeys').set(auth(jwt));
const events = async (userId: number) =>
  (await app.strapi.db.query('plugin::two-factor.event').findMany({ where: { userId }, orderBy: { id: 'asc' } })).map((e: any) => e.type);

/**
 * Waits for the next whole second: a legacy JWT is `{ id, iat, exp }` signed, so two issued for one
 * user within one second are the same string (the same session).
 */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));

/** A user with two passkeys and a fresh JWT (signed in with the first one; `user.jwt` stays stale). */
async function twoPasskeys(prefix: string): Promise<{ user: TestUser; fresh: string; device: SoftAuthenticator; backupCodes: string[] }> {
  const user = await registerUser(app, prefix);
  const device = authenticator();
  const { backupCodes } = await withPasskey(app, user, device);
  await nextSecond();
  const mfaToken = await pendingLogin(app, user);
  const challenge = await passkeyChallenge(app, mfaToken);
  const verified = await verifyPasskey(app, mfaToken, device.assert(challenge.body));
  expect(verified.status).toBe(200);
  const fresh = verified.body.jwt as string;
  const second = await registerPasskey(app, { jwt: fresh }, device, { name: 'Phone' });
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  return { user, fresh, device, backupCodes };
}

describe('the list', () => {
  it("answers the user's passkeys, never their keys or credential ids", async () => {
    const { user, fresh } = await twoPasskeys('pmlist');
    const res = await list(fresh);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(2);
    for (const passkey of res.body) {
      expect(Object.keys(passkey).sort()).toEqual(['backedUp', 'createdAt', 'deviceType', 'id', 'lastUsedAt', 'name', 'transports']);
    }
    expect(res.body.map((p: any) => p.name)).toEqual(['Passkey 1', 'Phone']);
    expect(res.body[0].lastUsedAt).toEqual(expect.any(String));
    expect(res.body[1].lastUsedAt).toBeNull();
    const rows = await app.strapi.db.query('plugin::two-factor.passkey').findMany({ where: { userId: user.id } });
    for (const row of rows) expect(JSON.stringify(res.body)).not.toContain(row.publicKey);
    // Another user sees only their own (none).
    const other = await registerUser(app, 'pmother');
    expect((await list(other.jwt)).body).toEqual([]);
    expect((await app.http().get('/api/two-factor/passkeys')).status).toBe(403);
  });
});

describe('renaming', () => {
  it('renames one of the caller’s passkeys, audited; another user’s id is not found', async () => {
    const { user, fresh } = await twoPasskeys('pmrename');
    const [first] = (await list(fresh)).body;
    const res = await app.http().put(`/api/two-factor/passkeys/${first.id}`).set(auth(fresh)).send({ name: '  Work laptop ' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ id: first.id, name: 'Work laptop' }));
    expect((await list(fresh)).body[0].name).toBe('Work laptop');
    expect(await events(user.id)).toContain('passkey.renamed');
    const other = await registerUser(app, 'pmthief');
    const stolen = await app.http().put(`/api/two-factor/passkeys/${first.id}`).set(auth(other.jwt)).send({ name: 'Mine' });
    expect(stolen.status).toBe(404);
    expect(stolen.body.error.details.code).toBe('PASSKEY_NOT_FOUND');
    for (const [id, body] of [
      ['abc', { name: 'x' }],
      [String(first.id), {}],
      [String(first.id), { name: '' }],
      [String(first.id), { name: 5 }],
      [String(first.id), { name: 'x'.repeat(65) }],
    ] as const) {
      const bad = await app.http().put(`/api/two-factor/passkeys/${id}`).set(auth(fresh)).send(body);
      expect([400, 404], `${id} ${JSON.stringify(body)}`).toContain(bad.status);
    }
    expect((await list(fresh)).body[0].name).toBe('Work laptop');
  });
});

describe('removing', () => {
  it('needs a step-up: a stale JWT is refused, a fresh one or a current code is enough', async () => {
    const { user, fresh, backupCodes } = await twoPasskeys('pmremove');
    const [first, second] = (await list(fresh)).body;
    const stale = await app.http().delete(`/api/two-factor/passkeys/${first.id}`).set(auth(user.jwt));
    expect(stale.status).toBe(403);
    expect(stale.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const withCode = await app.http().delete(`/api/two-factor/passkeys/${first.id}`).set(auth(user.jwt)).set('X-Two-Factor-Code', backupCodes[0]);
    expect(withCode.status, JSON.stringify(withCode.body)).toBe(200);
    expect(withCode.body).toEqual({ enabled: true, methods: ['passkey'] });
    expect((await list(fresh)).body.map((p: any) => p.id)).toEqual([second.id]);
    expect(await events(user.id)).toContain('passkey.removed');
    await mail.waitForNotices(user.email, { event: 'passkey.removed' });
    // Another user's id, or one already gone: not found.
    expect((await app.http().delete(`/api/two-factor/passkeys/${first.id}`).set(auth(fresh))).status).toBe(404);
  });

  it('the last passkey of an account with TOTP removes the method; the last factor turns 2FA off', async () => {
    const user = await registerUser(app, 'pmlast');
    const { secret, backupCodes } = await enrolTotp(app, user);
    const added = await registerPasskey(app, user, authenticator(), { code: codeAt(secret, 1) });
    expect(added.status).toBe(200);
    const removed = await app
      .http()
      .delete(`/api/two-factor/passkeys/${added.body.id}`)
      .set(auth(user.jwt))
      .set('X-Two-Factor-Code', backupCodes[0]);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toEqual({ enabled: true, methods: ['totp'] });
    expect(await events(user.id)).toEqual(expect.arrayContaining(['passkey.removed', 'method.removed']));

    const only = await registerUser(app, 'pmonly');
    const first = await withPasskey(app, only, authenticator());
    const gone = await app.http().delete(`/api/two-factor/passkeys/${first.id}`).set(auth(only.jwt)).set('X-Two-Factor-Code', first.backupCodes[0]);
    expect(gone.body).toEqual({ enabled: false, methods: [] });
    const status = await app.http().get('/api/two-factor/status').set(auth(only.jwt));
    expect(status.body).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
    expect((await passwordLogin(app, only.email)).body.jwt).toEqual(expect.any(String));
    await mail.waitForNotices(only.email, { event: 'disabled' });
  });

  it('disable { method: "passkey" } removes every passkey', async () => {
    const { user, fresh } = await twoPasskeys('pmdisable');
    const res = await app.http().post('/api/two-factor/disable').set(auth(fresh)).send({ method: 'passkey' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ enabled: false, methods: [] });
    expect(await app.strapi.db.query('plugin::two-factor.passkey').count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('notices', () => {
  it('the first passkey turns 2FA on, a further one is a passkey added', async () => {
    const { user } = await twoPasskeys('pmnotice');
    await mail.waitForNotices(user.email, { event: 'enabled' });
    const [added] = await mail.waitForNotices(user.email, { event: 'passkey.added' });
    expect(added.subject).toMatch(/A passkey was added/);
  });
});

describe('the admin reset', () => {
  it("the users page counts the user's passkeys; the reset removes them with their other factors, and says so", async () => {
    const { user, fresh } = await twoPasskeys('pmreset');
    const token = await adminToken(app.http, SUPER.email, SUPER.password);
    const row = async () =>
      (await app.http().get(`/two-factor/users?search=${encodeURIComponent(user.email)}`).set('Authorization', `Bearer ${token}`)).body.results[0];
    expect(await row()).toEqual(expect.objectContaining({ id: user.id, methods: ['passkey'], passkeys: 2 }));
    const res = await app.http().post(`/two-factor/users/${user.id}/reset`).set('Authorization', `Bearer ${token}`).send({});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await row()).toEqual(expect.objectContaining({ methods: [], passkeys: 0, backupCodesRemaining: 0 }));
    const [notice] = await mail.waitForNotices(user.email, { event: 'admin.reset' });
    expect(notice.text).toMatch(/your passkeys/);
    expect(await app.strapi.db.query('plugin::two-factor.passkey').count({ where: { userId: user.id } })).toBe(0);
    expect((await list(fresh)).body).toEqual([]);
    expect((await passwordLogin(app, user.email)).body.jwt).toEqual(expect.any(String));
  });
});
