import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, registerUser, updateSettings } from '../helpers/flows';

/**
 * docs/security.md J6: the users-permissions paths other than the password login that hand out a JWT
 * must not do so for a user who needs a second factor.
 */
for (const mode of ['legacy-support', 'refresh'] as const) {
  describe(`token-issuing paths of users-permissions (${mode})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp(mode === 'refresh' ? { JWT_MANAGEMENT: 'refresh' } : {});
    });
    afterAll(async () => {
      await app?.stop();
    });

    const resetWithCode = async (userId: number, headers: Record<string, string> = {}) => {
      const code = `reset-${userId}-${Date.now()}`;
      // What forgot-password stores and emails; the email itself is not the point here.
      await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: userId }, data: { resetPasswordToken: code } });
      return app
        .http()
        .post('/api/auth/reset-password')
        .set(headers)
        .send({ code, password: 'Brand-new-pass-1', passwordConfirmation: 'Brand-new-pass-1' });
    };

    it('reset-password gives a 2FA user a pending login, not a token; the second factor completes it', async () => {
      const user = await registerUser(app);
      const { secret } = await enrolTotp(app, user);
      const res = await resetWithCode(user.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ twoFaRequired: true, mfaToken: expect.any(String) });
      expect(res.body.jwt).toBeUndefined();
      expect(res.body.refreshToken).toBeUndefined();
      expect(res.body.user).toBeUndefined();
      const verify = await app.http().post('/api/two-factor/verify').send({ mfaToken: res.body.mfaToken, code: codeAt(secret) });
      expect(verify.status).toBe(200);
      expect(verify.body.jwt).toEqual(expect.any(String));
    });

    it('reset-password still logs a user without 2FA straight in', async () => {
      const user = await registerUser(app);
      const res = await resetWithCode(user.id);
      expect(res.status).toBe(200);
      expect(res.body.jwt).toEqual(expect.any(String));
    });

    if (mode === 'refresh') {
      it('the refresh session users-permissions opened on reset is revoked and its cookie cleared', async () => {
        const user = await registerUser(app);
        await enrolTotp(app, user);
        const before = await app.strapi.db.connection('strapi_sessions').where('user_id', String(user.id)).count({ n: '*' });
        const res = await resetWithCode(user.id, { 'x-strapi-refresh-cookie': 'httpOnly' });
        expect(res.body.twoFaRequired).toBe(true);
        const cookies = ((res.headers['set-cookie'] as unknown as string[]) ?? []).join('\n');
        expect(cookies).not.toMatch(/strapi_up_refresh=[^;]+;/);
        const sessions = await app.strapi.db.connection('strapi_sessions').where('user_id', String(user.id));
        const live = sessions.filter((s: any) => s.status !== 'revoked' && !s.revoked_at);
        expect(live.length, JSON.stringify({ before, sessions })).toBe(0);
      });
    }

    it('the GraphQL resetPassword and emailConfirmation mutations give a 2FA user no token either', async () => {
      const user = await registerUser(app);
      await enrolTotp(app, user);
      const users = app.strapi.db.query('plugin::users-permissions.user');
      await users.update({ where: { id: user.id }, data: { resetPasswordToken: `gql-reset-${user.id}` } });
      const reset = await app
        .http()
        .post('/graphql')
        .send({
          query: 'mutation($c: String!) { resetPassword(password: "Brand-new-pass-2", passwordConfirmation: "Brand-new-pass-2", code: $c) { jwt } }',
          variables: { c: `gql-reset-${user.id}` },
        });
      expect(reset.body.data?.resetPassword ?? null, reset.text).toBeNull();
      expect(reset.body.errors[0].extensions.code).toBe('TWO_FACTOR_REQUIRED');
      expect(reset.text).not.toMatch(/"jwt":"/);

      await users.update({ where: { id: user.id }, data: { confirmationToken: `gql-confirm-${user.id}` } });
      const confirmation = await app
        .http()
        .post('/graphql')
        .send({ query: 'mutation($c: String!) { emailConfirmation(confirmation: $c) { jwt } }', variables: { c: `gql-confirm-${user.id}` } });
      expect(confirmation.body.data?.emailConfirmation ?? null).toBeNull();
      expect(confirmation.body.errors[0].extensions.code).toBe('TWO_FACTOR_REQUIRED');
      expect(confirmation.text).not.toMatch(/"jwt":"/);
    });

    it('registration into a role that must use 2FA answers setup-required, not a token', async () => {
      await updateSettings(app, { enforcedRoles: ['authenticated'] });
      try {
        const res = await app
          .http()
          .post('/api/auth/local/register')
          .send({ username: `enforced${Date.now()}`, email: `enforced${Date.now()}@example.com`, password: 'Correct-Horse-9' });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ twoFaSetupRequired: true, mfaToken: expect.any(String) });
        expect(res.body.jwt).toBeUndefined();
        const enable = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${res.body.mfaToken}`).send({ method: 'totp' });
        expect(enable.status).toBe(200);
        const confirm = await app
          .http()
          .post('/api/two-factor/confirm')
          .set('Authorization', `Bearer ${res.body.mfaToken}`)
          .send({ method: 'totp', code: codeAt(enable.body.secret) });
        expect(confirm.status).toBe(200);
        expect(confirm.body.jwt).toEqual(expect.any(String));
      } finally {
        await updateSettings(app, { enforcedRoles: [] });
      }
    });
  });
}
