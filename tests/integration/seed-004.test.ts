import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { startApp, type TestApp } from '../helpers/strapi';
import { awayFromStepEnd, codeAt, registerUser, PASSWORD } from '../helpers/flows';

/**
 * Seed 004's REST flow, as its curl examples call it (under Strapi's /api prefix): enable with
 * only a bearer token, log in with { email, password }, verify with { code } and the cookie.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('seed 004 paths', () => {
  it('enable → login → verify with the cookie → backup codes → disable', async () => {
    const user = await registerUser(app);
    const auth = { Authorization: `Bearer ${user.jwt}` };

    // "curl -X POST .../authentication/twoFa/enable -H 'Authorization: Bearer YOUR_TOKEN'": no body.
    const enable = await app.http().post('/api/authentication/twoFa/enable').set(auth);
    expect(enable.status).toBe(200);
    expect(enable.body.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(enable.body.secret).toMatch(/^[A-Z2-7]+$/);
    await awayFromStepEnd();
    const confirm = await app.http().post('/api/authentication/twoFa/confirm').set(auth).send({ method: 'totp', code: codeAt(enable.body.secret, -1) });
    expect(confirm.status).toBe(200);

    const browser = request.agent(app.strapi.server.httpServer);
    const login = await browser.post('/api/authentication/local').send({ email: user.email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ message: '2FA required', twoFaRequired: true });
    expect(login.body.jwt).toBeUndefined();

    const verify = await browser.post('/api/authentication/twoFa/verify').send({ code: codeAt(enable.body.secret) });
    expect(verify.status).toBe(200);
    expect(verify.body.jwt).toEqual(expect.any(String));
    const jwtAuth = { Authorization: `Bearer ${verify.body.jwt}` };

    const codes = await app.http().post('/api/authentication/twoFa/backup-codes').set(jwtAuth).send({ code: codeAt(enable.body.secret, 1) });
    expect(codes.status).toBe(200);
    expect(codes.body.backupCodes).toHaveLength(10);

    const disable = await app.http().post('/api/authentication/twoFa/disable').set(jwtAuth).send({ code: codes.body.backupCodes[0] });
    expect(disable.status).toBe(200);
    expect(disable.body.enabled).toBe(false);
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
