import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { adminToken } from '../helpers/admin';

/** "SMS module required" (docs/admin.md): without a provider the admin API shows SMS off and keeps it off. */
const SUPER = { email: 'super@example.com', password: 'SuperPassw0rd!' };
let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startApp({ SMS_PROVIDER: 'none', ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password });
  token = await adminToken(app.http, SUPER.email, SUPER.password);
});
afterAll(async () => {
  await app?.stop();
});

describe('settings without an SMS provider', () => {
  it('answers SMS unavailable and off', async () => {
    const res = await app.http().get('/two-factor/settings').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ smsAvailable: false, methods: { totp: true, email: true, sms: false } });
  });

  it('refuses to switch SMS on and saves nothing', async () => {
    const res = await app.http().put('/two-factor/settings').set('Authorization', `Bearer ${token}`).send({ issuer: 'Changed', methods: { sms: true } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/SMS module required/);
    const after = await app.http().get('/two-factor/settings').set('Authorization', `Bearer ${token}`);
    expect(after.body).toMatchObject({ issuer: 'Strapi', methods: { sms: false } });
  });
});
