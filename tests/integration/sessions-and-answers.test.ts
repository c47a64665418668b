import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { awayFromStepEnd, PASSWORD, codeAt, enrolTotp, passwordLogin, pendingLogin, registerUser, updateSettings } from '../helpers/flows';
import { createUser } from '../helpers/admin';
import { gql } from './graphql-helpers';

/**
 * In both of users-permissions' token modes: a two-factor login answers the same user shape as a
 * plain login (no `role` or other relation), on REST and GraphQL; and in refresh mode, turning
 * 2FA on ends every other session of the user (a refresh token taken with the password alone
 * must not outlive it), keeping the one that turned it on.
 */
const USER_FIELDS = `user { id username email confirmed blocked role { name } }`;

for (const mode of ['legacy-support', 'refresh'] as const) {
  describe(`users-permissions ${mode} mode`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp({ JWT_MANAGEMENT: mode === 'refresh' ? 'refresh' : undefined });
    });
    afterAll(async () => {
      await app?.stop();
    });

    it('verify answers the user exactly as a plain login does, on REST and GraphQL', async () => {
      const user = await registerUser(app, 'shape');
      const plain = await passwordLogin(app, user.email);
      const plainGraphql = await gql(app, `mutation($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { ${USER_FIELDS} } }`, {
        i: user.email,
        p: PASSWORD,
      });
      const { secret } = await enrolTotp(app, user);

      const rest = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret, 0) });
      expect(rest.status).toBe(200);
      expect(rest.body.user).not.toHaveProperty('role');
      expect(rest.body.user).toEqual(plain.body.user);

      const graphql = await gql(app, `mutation($t: String!, $c: String!) { twoFactorVerify(mfaToken: $t, code: $c) { ${USER_FIELDS} } }`, {
        t: await pendingLogin(app, user),
        c: codeAt(secret, 1),
      });
      expect(graphql.body.errors, JSON.stringify(graphql.body.errors)).toBeUndefined();
      expect(graphql.body.data.twoFactorVerify.user).toEqual(plainGraphql.body.data.login.user);
      expect(graphql.body.data.twoFactorVerify.user.role).toBeNull();
    });

    if (mode !== 'refresh') return;

    const refresh = (refreshToken: string) => app.http().post('/api/auth/refresh').send({ refreshToken });

    it('the first factor ends the other sessions and keeps the one that turned 2FA on', async () => {
      const user = await registerUser(app, 'sessions');
      const other = await passwordLogin(app, user.email); // e.g. an attacker's, with the password only
      const own = await passwordLogin(app, user.email);
      // A renewal rotates the refresh token: the renewed one is what the other side holds now.
      const renewed = await refresh(other.body.refreshToken);
      expect(renewed.status).toBe(200);

      await enrolTotp(app, { ...user, jwt: own.body.jwt });
      expect((await refresh(renewed.body.refreshToken)).status).toBe(401);
      expect((await refresh(own.body.refreshToken)).status).toBe(200);
    });

    it('a setup-required login completed by its first factor leaves only its own new session', async () => {
      const email = `refresh-staff-${Date.now().toString(36)}@example.com`;
      const created = await createUser(app.strapi, { username: email.split('@')[0], email, password: PASSWORD, roleType: 'staff' });
      const before = await passwordLogin(app, email); // a session from before the role was required
      expect(before.body.refreshToken).toEqual(expect.any(String));
      await updateSettings(app, { enforcedRoles: ['staff'] });
      try {
        const setup = await passwordLogin(app, email);
        expect(setup.body.twoFaSetupRequired).toBe(true);
        const enable = await app.http().post('/api/two-factor/enable').send({ method: 'totp', mfaToken: setup.body.mfaToken });
        await awayFromStepEnd();
        const confirm = await app
          .http()
          .post('/api/two-factor/confirm')
          .send({ method: 'totp', code: codeAt(enable.body.secret, -1), mfaToken: setup.body.mfaToken });
        expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
        expect((await refresh(before.body.refreshToken)).status).toBe(401);
        expect((await refresh(confirm.body.refreshToken)).status).toBe(200);
        const sessions = await app.strapi.sessionManager('users-permissions').listSessions(String(created.id));
        expect(sessions).toHaveLength(1);
      } finally {
        await updateSettings(app, { enforcedRoles: [] });
      }
    });
  });
}
