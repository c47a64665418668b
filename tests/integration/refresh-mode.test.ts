import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, passwordLogin, pendingLogin, registerUser } from '../helpers/flows';

/** users-permissions in `jwtManagement: 'refresh'` mode: a 2FA login ends exactly like a plain one (J7). */
let app: TestApp;
beforeAll(async () => {
  app = await startApp({ JWT_MANAGEMENT: 'refresh' });
});
afterAll(async () => {
  await app?.stop();
});

const cookies = (res: { headers: Record<string, unknown> }) => ((res.headers['set-cookie'] as string[] | undefined) ?? []).join('\n');

describe('refresh-token mode', () => {
  it('verify answers { jwt, refreshToken, user } like a plain login, and both tokens work', async () => {
    const plainUser = await registerUser(app);
    const plain = await passwordLogin(app, plainUser.email);
    expect(Object.keys(plain.body).sort()).toEqual(['jwt', 'refreshToken', 'user']);

    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const res = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'refreshToken', 'user']);
    expect((await app.http().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`)).status).toBe(200);
    const refreshed = await app.http().post('/api/auth/refresh').send({ refreshToken: res.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.jwt).toEqual(expect.any(String));
  });

  it("the verify's access token is fresh for step-up; one renewed with the refresh token is not", async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const res = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
    expect(res.status).toBe(200);
    const renewed = await app.http().post('/api/auth/refresh').send({ refreshToken: res.body.refreshToken });
    expect(renewed.status).toBe(200);
    expect(renewed.body.jwt).not.toBe(res.body.jwt);
    const stale = await app.http().post('/api/two-factor/backup-codes').set('Authorization', `Bearer ${renewed.body.jwt}`).send({});
    expect(stale.status).toBe(403);
    expect(stale.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const fresh = await app.http().post('/api/two-factor/backup-codes').set('Authorization', `Bearer ${res.body.jwt}`).send({});
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
  });

  it('the password step of a 2FA user hands out no refresh token or cookie (J1)', async () => {
    const user = await registerUser(app);
    await enrolTotp(app, user);
    const res = await app
      .http()
      .post('/api/auth/local')
      .set('x-strapi-refresh-cookie', 'httpOnly')
      .send({ identifier: user.email, password: 'Correct-Horse-9' });
    expect(res.body.twoFaRequired).toBe(true);
    expect(res.body.refreshToken).toBeUndefined();
    expect(res.body.jwt).toBeUndefined();
    expect(cookies(res)).not.toContain('strapi_up_refresh');
  });

  it('with the httpOnly refresh cookie requested, verify sets it as users-permissions does', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const res = await app
      .http()
      .post('/api/two-factor/verify')
      .set('x-strapi-refresh-cookie', 'httpOnly')
      .send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'user']);
    expect(cookies(res)).toMatch(/strapi_up_refresh=[^;]+;.*httponly/i);
  });

  it('an access token of refresh mode opens the management routes; the pending token does not', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    expect((await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${mfaToken}`)).status).toBe(401);
    const res = await app.http().post('/api/two-factor/verify').send({ mfaToken, code: codeAt(secret) });
    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(status.body.enabled).toBe(true);
  });
});
