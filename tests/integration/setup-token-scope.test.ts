import { describe, it, expect, beforeEach } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import { awayFromStepEnd, PASSWORD, codeAt, passwordLogin, updateSettings } from '../helpers/flows';
import { createUser } from '../helpers/admin';
import type { SmsServer } from '../helpers/sms-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { newPhone, setSendLimits, textedCode } from '../helpers/otp-flows';
import { gql } from './graphql-helpers';

/**
 * A setup-required login (a role that must use 2FA, an account without a factor yet) hands out a
 * setup token that opens enrolment only. It must not outlive its purpose: once the account has a
 * confirmed factor, every route refuses it, and the confirm that completes it is single use.
 */
let app: TestApp;
let sms: SmsServer;
let counter = 0;

useDeliveryApp({ mail: false }, async (delivery) => {
  ({ app, sms } = delivery);
  await createUser(app.strapi, { username: 'seed-staff', email: 'seed-staff@example.com', password: PASSWORD, roleType: 'staff' });
  await updateSettings(app, { enforcedRoles: ['staff'] });
});
beforeEach(() => setSendLimits(app));

async function staff() {
  counter += 1;
  const email = `staff${counter}-${Date.now().toString(36)}@example.com`;
  const user = await createUser(app.strapi, { username: email.split('@')[0], email, password: PASSWORD, roleType: 'staff' });
  return { id: user.id as number, email };
}

async function setupToken(email: string): Promise<string> {
  const res = await passwordLogin(app, email);
  expect(res.body.twoFaSetupRequired, JSON.stringify(res.body)).toBe(true);
  return res.body.mfaToken;
}

const withToken = (path: string, token: string, body: Record<string, unknown>) =>
  app.http().post(path).set('Authorization', `Bearer ${token}`).send(body);

const factorsOf = async (userId: number) =>
  (await app.strapi.db.query('plugin::two-factor.factor').findMany({ where: { userId, confirmedAt: { $notNull: true } } })).map(
    (f: any) => f.method
  );

/** The owner enrols an authenticator through their own setup login and gets a JWT. */
async function ownerEnrols(email: string) {
  const own = await setupToken(email);
  const enable = await withToken('/api/two-factor/enable', own, { method: 'totp' });
  expect(enable.status).toBe(200);
  await awayFromStepEnd();
  const confirm = await withToken('/api/two-factor/confirm', own, { method: 'totp', code: codeAt(enable.body.secret, -1) });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  expect(confirm.body.jwt).toEqual(expect.any(String));
  return enable.body.secret as string;
}

describe('a setup token dies once its account has a factor', () => {
  it('the reported attack: a token taken before the owner enrolled opens nothing afterwards, on REST and GraphQL', async () => {
    const victim = await staff();
    const stolen = await setupToken(victim.email);
    await ownerEnrols(victim.email);

    const phone = newPhone();
    for (const res of [
      await withToken('/api/two-factor/enable', stolen, { method: 'sms', phone }),
      await app.http().post('/api/two-factor/enable').send({ method: 'sms', phone, mfaToken: stolen }),
      await withToken('/api/two-factor/confirm', stolen, { method: 'sms', code: '123456' }),
      await withToken('/api/authentication/twoFa/enable', stolen, {}),
    ]) {
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.error.message).toBe('Authentication required');
    }
    const native = await gql(app, `mutation($t: String) { twoFactorEnable(method: "sms", phone: "${phone}", mfaToken: $t) { message } }`, { t: stolen });
    expect(native.body.errors?.[0]?.extensions?.code, JSON.stringify(native.body)).toBe('FORBIDDEN');
    const nyyu = await gql(app, `mutation($e: String!, $t: String) { request2FA(email: $e, method: "phone", phone: "${phone}", token: $t) }`, {
      e: victim.email,
      t: stolen,
    });
    expect(nyyu.body.errors?.[0]?.extensions?.code, JSON.stringify(nyyu.body)).toBe('FORBIDDEN');
    expect(sms.to(phone)).toHaveLength(0);
    expect(await factorsOf(victim.id)).toEqual(['totp']);
  });

  it('an enrolment begun with the token before the owner enrolled cannot be confirmed with it afterwards', async () => {
    const victim = await staff();
    const stolen = await setupToken(victim.email);
    const phone = newPhone();
    expect((await withToken('/api/two-factor/enable', stolen, { method: 'sms', phone })).status).toBe(200);
    const code = await textedCode(sms, phone, 1);
    await ownerEnrols(victim.email);
    const confirm = await withToken('/api/two-factor/confirm', stolen, { method: 'sms', code });
    expect(confirm.status).toBe(401);
    expect(confirm.body).not.toHaveProperty('jwt');
    expect(await factorsOf(victim.id)).toEqual(['totp']);
  });

  it('the confirm that completes a setup login is single use, also for parallel confirms of two methods', async () => {
    const user = await staff();
    const token = await setupToken(user.email);
    const phone = newPhone();
    const totp = await withToken('/api/two-factor/enable', token, { method: 'totp' });
    expect(totp.status).toBe(200);
    expect((await withToken('/api/two-factor/enable', token, { method: 'sms', phone })).status).toBe(200);
    const textCode = await textedCode(sms, phone, 1);
    await awayFromStepEnd();
    const answers = await Promise.all([
      withToken('/api/two-factor/confirm', token, { method: 'totp', code: codeAt(totp.body.secret, -1) }),
      withToken('/api/two-factor/confirm', token, { method: 'sms', code: textCode }),
    ]);
    const won = answers.filter((res) => res.status === 200);
    expect(won, JSON.stringify(answers.map((r) => r.body))).toHaveLength(1);
    expect(won[0].body.jwt).toEqual(expect.any(String));
    expect(answers.filter((res) => res.body?.jwt)).toHaveLength(1);
    expect(await factorsOf(user.id)).toHaveLength(1);
    // And once more, after the fact: the token is spent.
    const again = await withToken('/api/two-factor/confirm', token, { method: 'totp', code: codeAt(totp.body.secret, 1) });
    expect(again.status).toBe(401);
    expect(await factorsOf(user.id)).toHaveLength(1);
  });
});
