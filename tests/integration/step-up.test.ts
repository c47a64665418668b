import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, pendingLogin, registerUser, PASSWORD, type TestUser } from '../helpers/flows';
import { fails, gql, ok } from './graphql-helpers';
import { operation } from '../fixtures/seeds/operations';

/**
 * Step-up: a session that passed a second factor is fresh for `stepUpWindow` seconds (300 in the
 * host app); sensitive changes then need no code. `POST /step-up` makes a session fresh again; the
 * `recent-factor` policy guards a host app's own REST routes and GraphQL resolvers.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const bearer = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });
const post = (path: string, jwt: string, body: object = {}) => app.http().post(path).set(bearer(jwt)).send(body);

/**
 * Waits for the next whole second. A legacy JWT is `{ id, iat, exp }` signed: two issued for one
 * user within one second are the same string, so the same session.
 */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));

/** Another JWT of the user, as users-permissions issues them (a stolen one, a second device's). */
const otherToken = async (user: TestUser): Promise<string> => {
  await nextSecond();
  return app.strapi.plugin('users-permissions').service('jwt').issue({ id: user.id });
};

/** A user with an authenticator app and the JWT of a completed two-factor login (a fresh session). */
async function verifiedUser(): Promise<{ user: TestUser; secret: string; backupCodes: string[]; fresh: string }> {
  const user = await registerUser(app, 'stepup');
  const { secret, backupCodes } = await enrolTotp(app, user);
  await nextSecond();
  const res = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { user, secret, backupCodes, fresh: res.body.jwt };
}

const expectStepUpRequired = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error.details.code).toBe('STEP_UP_REQUIRED');
};

/** Runs `fn` with another step-up window, as the operator would configure it. */
async function withWindow(seconds: number, fn: () => Promise<void>) {
  const before = app.strapi.config.get('plugin::two-factor.stepUpWindow');
  app.strapi.config.set('plugin::two-factor.stepUpWindow', seconds);
  try {
    await fn();
  } finally {
    app.strapi.config.set('plugin::two-factor.stepUpWindow', before);
  }
}

describe('fresh sessions', () => {
  it("a verify's JWT regenerates backup codes and disables 2FA without a code", async () => {
    const { fresh, backupCodes } = await verifiedUser();
    const codes = await post('/api/two-factor/backup-codes', fresh);
    expect(codes.status, JSON.stringify(codes.body)).toBe(200);
    expect(codes.body.backupCodes).toHaveLength(10);
    expect(codes.body.backupCodes.some((code: string) => backupCodes.includes(code))).toBe(false);
    const disable = await post('/api/two-factor/disable', fresh);
    expect(disable.status, JSON.stringify(disable.body)).toBe(200);
    expect(disable.body).toEqual({ enabled: false, methods: [] });
  });

  it('a JWT from before 2FA was on, or any other token of the user, is not fresh', async () => {
    const { user } = await verifiedUser();
    expectStepUpRequired(await post('/api/two-factor/backup-codes', user.jwt));
    expectStepUpRequired(await post('/api/two-factor/disable', user.jwt));
    expectStepUpRequired(await post('/api/two-factor/enable', user.jwt, { method: 'email' }));
    // Another JWT of the same user is another session.
    const other = await otherToken(user);
    expectStepUpRequired(await post('/api/two-factor/backup-codes', other));
    const status = await app.http().get('/api/two-factor/status').set(bearer(user.jwt));
    expect(status.body.enabled).toBe(true);
  });

  it("one user's fresh session does nothing for another user", async () => {
    const first = await verifiedUser();
    const second = await verifiedUser();
    // The first user's fresh token, presented for the first user only: the second user's own stale JWT stays stale.
    expectStepUpRequired(await post('/api/two-factor/backup-codes', second.user.jwt));
    expect((await post('/api/two-factor/backup-codes', first.fresh)).status).toBe(200);
  });

  it('a window of 0 keeps no session fresh; the window ends freshness', async () => {
    const { fresh } = await verifiedUser();
    await withWindow(0, async () => {
      expectStepUpRequired(await post('/api/two-factor/backup-codes', fresh));
    });
    await withWindow(1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expectStepUpRequired(await post('/api/two-factor/backup-codes', fresh));
    });
    // Back to 300 s: the mark is still within it.
    expect((await post('/api/two-factor/backup-codes', fresh)).status).toBe(200);
  });

  it('a wrong code in a fresh session is still a wrong code', async () => {
    const { fresh } = await verifiedUser();
    const res = await post('/api/two-factor/backup-codes', fresh, { code: '000000' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('INVALID_CODE');
  });
});

describe('a session of its own', () => {
  it('a JWT issued in the same second as the two-factor login is another session: only the verified one is fresh', async () => {
    const user = await registerUser(app, 'stepup');
    const { secret } = await enrolTotp(app, user);
    await nextSecond();
    const res = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
    const verified = claims(res.body.jwt);
    // What users-permissions issues to this user in that very second (a password login elsewhere).
    const plain = app.strapi.plugin('users-permissions').service('jwt').issue({ id: user.id, iat: verified.iat });
    const { jti, ...rest } = verified;
    expect(jti).toEqual(expect.any(String));
    // Without a token id of its own, the plugin's JWT would be this very string.
    expect(claims(plain)).toEqual(rest);
    expect(res.body.jwt).not.toBe(plain);
    expect((await post('/api/two-factor/backup-codes', res.body.jwt)).status).toBe(200);
    expectStepUpRequired(await post('/api/two-factor/backup-codes', plain));
  });
});

describe('POST /api/two-factor/step-up', () => {
  it('a current code makes the caller\'s session fresh, and only that session', async () => {
    const { user, secret } = await verifiedUser();
    const other = await otherToken(user);
    const before = Date.now();
    const res = await post('/api/two-factor/step-up', user.jwt, { code: codeAt(secret, 1), method: 'totp' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body)).toEqual(['freshUntil']);
    const until = Date.parse(res.body.freshUntil);
    expect(until).toBeGreaterThanOrEqual(before + 300_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 300_000);
    expect((await post('/api/two-factor/backup-codes', user.jwt)).status).toBe(200);
    expectStepUpRequired(await post('/api/two-factor/backup-codes', other));
  });

  it('ten users stepping up at the same moment all end fresh (no lock waits turned into errors)', async () => {
    const users = [];
    for (let i = 0; i < 10; i++) users.push(await verifiedUser());
    const answers = await Promise.all(users.map(({ user, backupCodes }) => post('/api/two-factor/step-up', user.jwt, { code: backupCodes[0] })));
    expect(answers.map((res) => res.status)).toEqual(answers.map(() => 200));
    const after = await Promise.all(users.map(({ user }) => post('/api/two-factor/backup-codes', user.jwt)));
    expect(after.map((res) => res.status)).toEqual(after.map(() => 200));
  });

  it('a backup code steps up too, once', async () => {
    const { user, backupCodes } = await verifiedUser();
    expect((await post('/api/two-factor/step-up', user.jwt, { code: backupCodes[0] })).status).toBe(200);
    const again = await post('/api/two-factor/step-up', user.jwt, { code: backupCodes[0] });
    expect(again.status).toBe(400);
    expect(again.body.error.details.code).toBe('INVALID_CODE');
  });

  it('refuses without a code, with a wrong one, without 2FA and without a JWT', async () => {
    const { user } = await verifiedUser();
    const none = await post('/api/two-factor/step-up', user.jwt);
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe('code is required');
    const wrong = await post('/api/two-factor/step-up', user.jwt, { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.code).toBe('INVALID_CODE');
    const badMethod = await post('/api/two-factor/step-up', user.jwt, { code: '000000', method: 'carrier-pigeon' });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body.error.details.code).toBe('INVALID_INPUT');
    expectStepUpRequired(await post('/api/two-factor/backup-codes', user.jwt));

    const plain = await registerUser(app, 'plain');
    const notEnabled = await post('/api/two-factor/step-up', plain.jwt, { code: '123456' });
    expect(notEnabled.status).toBe(400);
    expect(notEnabled.body.error.details.code).toBe('NOT_ENABLED');
    expect((await app.http().post('/api/two-factor/step-up').send({ code: '123456' })).status).toBe(403);
  });

  it('with a window of 0 it still checks the code and answers freshUntil null', async () => {
    const { user, secret } = await verifiedUser();
    await withWindow(0, async () => {
      const res = await post('/api/two-factor/step-up', user.jwt, { code: codeAt(secret, 1) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ freshUntil: null });
      expectStepUpRequired(await post('/api/two-factor/backup-codes', user.jwt));
    });
  });
});

describe('the recent-factor policy on a host app route', () => {
  it('lets a fresh session through and answers 403 STEP_UP_REQUIRED to a stale one', async () => {
    const { user, fresh, secret } = await verifiedUser();
    const stale = await post('/api/account/close', user.jwt);
    expectStepUpRequired(stale);
    expect(stale.body.error.name).toBe('PolicyError');
    expect(stale.body.error.message).toMatch(/give `code`/);
    const ok = await post('/api/account/close', fresh);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ closed: true, user: user.id });
    // After a step-up the old JWT passes too.
    expect((await post('/api/two-factor/step-up', user.jwt, { code: codeAt(secret, 1) })).status).toBe(200);
    expect((await post('/api/account/close', user.jwt)).status).toBe(200);
  });

  it('maxAge asks for a more recent factor than the window', async () => {
    const { fresh } = await verifiedUser();
    expect((await post('/api/account/export', fresh)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expectStepUpRequired(await post('/api/account/export', fresh));
    // The plugin's own window (300 s) still holds for the other route.
    expect((await post('/api/account/close', fresh)).status).toBe(200);
  });

  it('refuses a user without a factor, and a request without a JWT never reaches it', async () => {
    const plain = await registerUser(app, 'plain');
    expectStepUpRequired(await post('/api/account/close', plain.jwt));
    expect((await app.http().post('/api/account/close')).status).toBe(403);
  });

  it('guards a GraphQL resolver the same way (resolversConfig)', async () => {
    const { user, fresh } = await verifiedUser();
    const stale = await fails(app, 'mutation { closeAccount }', {}, user.jwt);
    expect(stale.error.extensions.code).toBe('FORBIDDEN');
    expect(stale.error.extensions.details.code).toBe('STEP_UP_REQUIRED');
    expect(stale.error.message).toMatch(/give `code`/);
    expect((await ok(app, 'mutation { closeAccount }', {}, fresh)).closeAccount).toBe(true);
  });
});

describe('GraphQL faces', () => {
  it('native twoFactorStepUp, then twoFactorBackupCodes and twoFactorDisable without a code', async () => {
    const { user, secret } = await verifiedUser();
    const stale = await fails(app, 'mutation { twoFactorBackupCodes }', {}, user.jwt);
    expect(stale.error.extensions.details.code).toBe('STEP_UP_REQUIRED');
    const { twoFactorStepUp } = await ok(app, 'mutation($code: String!) { twoFactorStepUp(code: $code) { freshUntil } }', { code: codeAt(secret, 1) }, user.jwt);
    expect(Date.parse(twoFactorStepUp.freshUntil)).toBeGreaterThan(Date.now());
    const { twoFactorBackupCodes } = await ok(app, 'mutation { twoFactorBackupCodes }', {}, user.jwt);
    expect(twoFactorBackupCodes).toHaveLength(10);
    const { twoFactorDisable } = await ok(app, 'mutation { twoFactorDisable { enabled methods } }', {}, user.jwt);
    expect(twoFactorDisable).toEqual({ enabled: false, methods: [] });
  });

  it("Craft's DisableTwoFactor from seed 001, pasted unchanged, works after verifyTwoFactor and not after the window", async () => {
    const { user, secret, backupCodes } = await verifiedUser();
    const seedDisable = operation('craftPage', 'DisableTwoFactor').replace(/"\.\.\."/g, JSON.stringify(PASSWORD));
    const verify = `mutation($email: String!, $password: String!, $code: String!) { verifyTwoFactor(email: $email, password: $password, code: $code) { jwt } }`;
    const first = (await ok(app, verify, { email: user.email, password: PASSWORD, code: codeAt(secret, 1) })).verifyTwoFactor.jwt;
    await withWindow(1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const late = await fails(app, seedDisable, {}, first);
      expect(late.error.extensions.details.code).toBe('STEP_UP_REQUIRED');
      expect(late.error.message).toMatch(/`code`/);
    });
    await nextSecond();
    const second = (await ok(app, verify, { email: user.email, password: PASSWORD, code: backupCodes[0] })).verifyTwoFactor.jwt;
    const res = await gql(app, seedDisable, {}, second);
    expect(res.body).toEqual({ data: { disableTwoFactor: false } });
  });
});
