import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { startApp, type TestApp } from '../helpers/strapi';
import { awayFromStepEnd, codeAt, enrolTotp, registerUser, PASSWORD } from '../helpers/flows';

/**
 * Seed 004's REST flow, as its curl examples call it (under Strapi's /api prefix): enable with
 * only a bearer token, confirm with its verify, log in with { email, password }, verify with
 * { code } and the cookie, new backup codes with only the bearer, disable with { code }.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('seed 004 paths', () => {
  it("walks the seed's whole flow with its paths and bodies verbatim, and nothing more", async () => {
    const user = await registerUser(app);
    const auth = { Authorization: `Bearer ${user.jwt}` };

    // "curl -X POST .../authentication/twoFa/enable -H 'Authorization: Bearer YOUR_TOKEN'": no body.
    const enable = await app.http().post('/api/authentication/twoFa/enable').set(auth);
    expect(enable.status).toBe(200);
    expect(enable.body.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(enable.body.secret).toMatch(/^[A-Z2-7]+$/);

    // The seed has no confirm step: its verify, with the bearer and { code }, confirms the enrolment.
    await awayFromStepEnd();
    const confirm = await app.http().post('/api/authentication/twoFa/verify').set(auth).send({ code: codeAt(enable.body.secret, -1) });
    expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
    expect(confirm.body).toMatchObject({ enabled: true, methods: ['totp'] });
    expect(confirm.body.backupCodes).toHaveLength(10);

    // "curl -X POST .../authentication/local -d '{"email": ..., "password": ...}'".
    const browser = request.agent(app.strapi.server.httpServer);
    const login = await browser.post('/api/authentication/local').send({ email: user.email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ message: '2FA required', twoFaRequired: true });
    expect(login.body.jwt).toBeUndefined();

    // "curl -X POST .../authentication/twoFa/verify -d '{"code": "123456"}'": the cookie carries the login.
    const verify = await browser.post('/api/authentication/twoFa/verify').send({ code: codeAt(enable.body.secret) });
    expect(verify.status, JSON.stringify(verify.body)).toBe(200);
    expect(verify.body.jwt).toEqual(expect.any(String));
    const jwtAuth = { Authorization: `Bearer ${verify.body.jwt}` };

    // "curl -X POST .../authentication/twoFa/backup-codes -H 'Authorization: Bearer YOUR_TOKEN'": no
    // body; the session just passed its second factor, so it is fresh (step-up).
    const codes = await app.http().post('/api/authentication/twoFa/backup-codes').set(jwtAuth);
    expect(codes.status, JSON.stringify(codes.body)).toBe(200);
    expect(codes.body.backupCodes).toHaveLength(10);
    expect(codes.body.backupCodes.some((code: string) => confirm.body.backupCodes.includes(code))).toBe(false);

    // "curl -X POST .../authentication/twoFa/disable -d '{"code": "123456"}'".
    const disable = await app.http().post('/api/authentication/twoFa/disable').set(jwtAuth).send({ code: codeAt(enable.body.secret, 1) });
    expect(disable.status, JSON.stringify(disable.body)).toBe(200);
    expect(disable.body.enabled).toBe(false);
    const after = await app.http().post('/api/authentication/local').send({ email: user.email, password: PASSWORD });
    expect(after.body.jwt).toEqual(expect.any(String));
  });

  it('backup codes with only a bearer that never passed a second factor need a code (STEP_UP_REQUIRED)', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const stale = await app.http().post('/api/authentication/twoFa/backup-codes').set({ Authorization: `Bearer ${user.jwt}` });
    expect(stale.status).toBe(403);
    expect(stale.body.error.details.code).toBe('STEP_UP_REQUIRED');
    expect(stale.body.error.message).toMatch(/give `code`/);
    const withCode = await app
      .http()
      .post('/api/authentication/twoFa/backup-codes')
      .set({ Authorization: `Bearer ${user.jwt}` })
      .send({ code: codeAt(secret) });
    expect(withCode.status).toBe(200);
  });

  it('twoFa/confirm defaults to the authenticator app, as twoFa/enable does', async () => {
    const user = await registerUser(app);
    const auth = { Authorization: `Bearer ${user.jwt}` };
    const enable = await app.http().post('/api/authentication/twoFa/enable').set(auth);
    await awayFromStepEnd();
    const confirm = await app.http().post('/api/authentication/twoFa/confirm').set(auth).send({ code: codeAt(enable.body.secret, -1) });
    expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
    expect(confirm.body.methods).toEqual(['totp']);
  });

  it('twoFa/verify with a bearer and no pending enrolment, and no pending login, is refused with a message', async () => {
    const user = await registerUser(app);
    const res = await app.http().post('/api/authentication/twoFa/verify').set({ Authorization: `Bearer ${user.jwt}` }).send({ code: '123456' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('NO_PENDING_ENROLMENT');
  });

  it('a user without 2FA logs in at /api/authentication/local exactly as at /api/auth/local', async () => {
    const user = await registerUser(app);
    const seed = await app.http().post('/api/authentication/local').send({ email: user.email, password: PASSWORD });
    const native = await app.http().post('/api/auth/local').send({ identifier: user.email, password: PASSWORD });
    expect(seed.status).toBe(200);
    expect(Object.keys(seed.body).sort()).toEqual(Object.keys(native.body).sort());
    expect(seed.body.user).toEqual(native.body.user);
    const wrong = await app.http().post('/api/authentication/local').send({ email: user.email, password: 'nope-nope-1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe('Invalid identifier or password');
  });
});
