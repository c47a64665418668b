import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { enrolTotp, registerUser } from '../helpers/flows';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
  // Let signed-in users read user records, as many apps do, to see what those answers hold.
  const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  for (const action of ['plugin::users-permissions.user.findOne', 'plugin::users-permissions.user.find']) {
    await app.strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }
});
afterAll(async () => {
  await app?.stop();
});

const PLAIN_USER_KEYS = ['blocked', 'confirmed', 'createdAt', 'documentId', 'email', 'id', 'provider', 'publishedAt', 'updatedAt', 'username'];

describe('2FA state never leaks through the users API', () => {
  it('/api/users/me, /api/users/:id and /api/users show no secret, hash or pending state', async () => {
    const user = await registerUser(app);
    const { secret, backupCodes } = await enrolTotp(app, user);
    await app.http().post('/api/auth/local').send({ identifier: user.email, password: 'Correct-Horse-9' }); // leaves a pending login
    const auth = { Authorization: `Bearer ${user.jwt}` };
    const answers = [
      await app.http().get('/api/users/me').set(auth),
      await app.http().get('/api/users/me?populate=*').set(auth),
      await app.http().get(`/api/users/${user.id}`).set(auth),
      await app.http().get(`/api/users/${user.id}?populate=*`).set(auth),
      await app.http().get('/api/users?populate=*').set(auth),
    ];
    for (const [i, res] of answers.entries()) {
      expect(res.status, `answer ${i}`).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(secret);
      for (const code of backupCodes) expect(text).not.toContain(code);
      expect(text).not.toMatch(/two.?factor|mfa|secret|lastUsedStep|codeHash|nonce/i);
    }
    expect(Object.keys(answers[0].body).sort()).toEqual(PLAIN_USER_KEYS);
  });

  it('the TOTP secret is encrypted at rest (T6)', async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const [row] = await app.strapi.db.connection('two_factor_factors').where('user_id', user.id);
    expect(row.secret).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("the status route shows one's own state only, and never the secret again (T6)", async () => {
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const res = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${user.jwt}`);
    expect(res.body).toEqual({ enabled: true, methods: ['totp'], backupCodesRemaining: 10 });
    expect(JSON.stringify(res.body)).not.toContain(secret);
  });

  it('the plugin content types have no content API and stay out of the content manager', async () => {
    const user = await registerUser(app);
    for (const path of ['/api/factors', '/api/two-factor/factors', '/api/challenges', '/api/backup-codes', '/api/events']) {
      const res = await app.http().get(path).set('Authorization', `Bearer ${user.jwt}`);
      expect(res.status, path).toBe(404);
    }
    for (const uid of ['factor', 'challenge', 'backup-code', 'event', 'throttle']) {
      const model: any = app.strapi.getModel(`plugin::two-factor.${uid}` as any);
      expect(model.pluginOptions['content-manager'].visible).toBe(false);
    }
  });
});
