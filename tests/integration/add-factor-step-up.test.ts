import { describe, it, expect, beforeEach } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import { useDeliveryApp } from '../helpers/delivery-app';
import { awayFromStepEnd, codeAt, enrolTotp, pendingLogin, pluginService, registerUser, type TestUser } from '../helpers/flows';
import type { MailServer } from '../helpers/mail-server';
import type { SmsServer } from '../helpers/sms-server';
import { auth, emailedStepUp, enrolEmail, newPhone, setSendLimits, textedCode, verify } from '../helpers/otp-flows';
import { gql } from './graphql-helpers';

/**
 * A stolen JWT must not take over the second factor: once an account has a confirmed factor,
 * adding another one (any method, any face) needs a current code of a factor it already has,
 * given with the request. The attack this closes: JWT → enable SMS on the attacker's phone →
 * confirm → new backup codes and TOTP removed with SMS codes → the owner is locked out.
 */
let app: TestApp;
let mail: MailServer;
let sms: SmsServer;

useDeliveryApp({}, (delivery) => {
  ({ app, mail, sms } = delivery);
});
beforeEach(() => setSendLimits(app));

const post = (path: string, user: TestUser, body: Record<string, unknown>) => app.http().post(path).set(auth(user)).send(body);
const status = async (user: TestUser) => (await app.http().get('/api/two-factor/status').set(auth(user))).body;
const failures = async (user: TestUser) => (await pluginService(app, 'throttle').state(user.id)).failures;

/** The 403 every face gives for a missing step-up: the message names `code`, details carry the code. */
const expectStepUpRequired = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.body.error.message).toMatch(/current two-factor code/);
  expect(res.body.error.message).toMatch(/code/);
  expect(res.body.error.details).toEqual({ code: 'STEP_UP_REQUIRED' });
};
const expectGraphqlStepUpRequired = (res: { body: any }) => {
  expect(res.body.errors, JSON.stringify(res.body)).toHaveLength(1);
  const [error] = res.body.errors;
  expect(error.extensions.code).toBe('FORBIDDEN');
  expect(error.extensions.error.details).toEqual({ code: 'STEP_UP_REQUIRED' });
  expect(error.message).toMatch(/current two-factor code/);
};

/** Alice: TOTP confirmed, and a JWT an attacker has copied. */
async function alice() {
  const user = await registerUser(app, 'alice');
  const { secret, backupCodes } = await enrolTotp(app, user);
  return { user, secret, backupCodes };
}

describe('REST: a JWT alone adds no factor', () => {
  it('the reported attack stops at its first step: enable SMS on another phone answers 403 and texts nothing', async () => {
    const { user, secret } = await alice();
    const phone = newPhone();
    expectStepUpRequired(await post('/api/two-factor/enable', user, { method: 'sms', phone }));
    expectStepUpRequired(await post('/api/two-factor/enable', user, { method: 'email' }));
    expect(sms.to(phone)).toHaveLength(0);
    // Nothing to confirm, no new backup codes, TOTP stays.
    const confirm = await post('/api/two-factor/confirm', user, { method: 'sms', code: '123456' });
    expect(confirm.status).toBe(400);
    expect(confirm.body.error.message).toMatch(/No pending SMS enrolment/);
    expect(await status(user)).toEqual({ enabled: true, methods: ['totp'], backupCodesRemaining: 10 });
    // The owner still signs in with the authenticator.
    expect((await verify(app, { mfaToken: await pendingLogin(app, user), code: codeAt(secret, 1) })).status).toBe(200);
  });

  it('the compatibility path (twoFa/enable, no body) is refused the same way for an account with email 2FA', async () => {
    const user = await registerUser(app, 'compat');
    await enrolEmail(app, mail, user);
    const res = await app.http().post('/api/authentication/twoFa/enable').set(auth(user)).send();
    expectStepUpRequired(res);
    expect(JSON.stringify(res.body)).not.toMatch(/otpauth|secret/);
  });

  it('a wrong code is a counted failed attempt; a right one of an existing factor adds the method', async () => {
    const { user, secret } = await alice();
    const phone = newPhone();
    const wrong = await post('/api/two-factor/enable', user, { method: 'sms', phone, code: '000000' === codeAt(secret, 0) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe('Invalid two-factor code');
    expect(await failures(user)).toBe(1);
    expect(sms.to(phone)).toHaveLength(0);

    const enable = await post('/api/two-factor/enable', user, { method: 'sms', phone, code: codeAt(secret, 0) });
    expect(enable.status, JSON.stringify(enable.body)).toBe(200);
    const confirm = await post('/api/two-factor/confirm', user, { method: 'sms', code: await textedCode(sms, phone, 1) });
    expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
    expect(confirm.body).toEqual({ enabled: true, methods: ['totp', 'sms'] });
    expect(await failures(user)).toBe(0);
  });

  it('a backup code or an emailed step-up code proves the account too', async () => {
    const user = await registerUser(app, 'proofs');
    const { backupCodes } = await enrolEmail(app, mail, user);
    const totp = await post('/api/two-factor/enable', user, { method: 'totp', code: backupCodes![0] });
    expect(totp.status, JSON.stringify(totp.body)).toBe(200);
    expect(totp.body.secret).toEqual(expect.any(String));
    const phone = newPhone();
    const text = await post('/api/two-factor/enable', user, { method: 'sms', phone, code: await emailedStepUp(app, mail, user) });
    expect(text.status, JSON.stringify(text.body)).toBe(200);
  });

  it('a code of a method being added never counts: a pending authenticator or a texted enrolment code proves nothing', async () => {
    const user = await registerUser(app, 'pending');
    await enrolEmail(app, mail, user);
    // The owner starts an authenticator (proved by email) and an SMS enrolment (proved again).
    const totp = await post('/api/two-factor/enable', user, { method: 'totp', code: await emailedStepUp(app, mail, user) });
    expect(totp.status).toBe(200);
    const phone = newPhone();
    expect((await post('/api/two-factor/enable', user, { method: 'sms', phone, code: await emailedStepUp(app, mail, user) })).status).toBe(200);
    const enrolmentCode = await textedCode(sms, phone, 1);
    // Neither pending method's code proves the account for another change.
    for (const code of [codeAt(totp.body.secret, 0), enrolmentCode]) {
      const res = await post('/api/two-factor/enable', user, { method: 'sms', phone: newPhone(), code });
      expect(res.status, code).toBe(400);
      expect(res.body.error.message).toBe('Invalid two-factor code');
    }
  });

  it('an enrolment begun before the account had a factor cannot finish as its second one', async () => {
    // The attacker starts SMS with the JWT while the account has no factor …
    const user = await registerUser(app, 'early');
    const phone = newPhone();
    expect((await post('/api/two-factor/enable', user, { method: 'sms', phone })).status).toBe(200);
    const attackerCode = await textedCode(sms, phone, 1);
    // … the owner enrols an authenticator …
    const { secret } = await enrolTotp(app, user);
    // … and the attacker's confirm is refused: start again, with a current code.
    const confirm = await post('/api/two-factor/confirm', user, { method: 'sms', code: attackerCode });
    expectStepUpRequired(confirm);
    expect(confirm.body.error.message).toMatch(/start this enrolment again/);
    expect(await status(user)).toEqual({ enabled: true, methods: ['totp'], backupCodesRemaining: 10 });
    expect((await verify(app, { mfaToken: await pendingLogin(app, user), code: codeAt(secret, 1) })).status).toBe(200);
  });

  it('parallel confirms of two enrolments begun without a factor: exactly one becomes the first factor', async () => {
    const user = await registerUser(app, 'race');
    const phone = newPhone();
    const enableTotp = await post('/api/two-factor/enable', user, { method: 'totp' });
    expect((await post('/api/two-factor/enable', user, { method: 'sms', phone })).status).toBe(200);
    const textCode = await textedCode(sms, phone, 1);
    await awayFromStepEnd();
    const [a, b] = await Promise.all([
      post('/api/two-factor/confirm', user, { method: 'totp', code: codeAt(enableTotp.body.secret, -1) }),
      post('/api/two-factor/confirm', user, { method: 'sms', code: textCode }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 403]);
    expect((await status(user)).methods).toHaveLength(1);
  });
});

describe('GraphQL: every dialect asks for the same proof', () => {
  const ENABLE = `mutation($method: String!, $phone: String, $code: String) {
    twoFactorEnable(method: $method, phone: $phone, code: $code) { qrCode secret message }
  }`;
  const CONFIRM = `mutation($method: String!, $code: String!) { twoFactorConfirm(method: $method, code: $code) { enabled methods } }`;
  const REQUEST = `mutation($email: String!, $method: String!, $phone: String, $code: String) {
    request2FA(email: $email, method: $method, phone: $phone, code: $code)
  }`;
  const CONFIRM_REQUEST = `mutation($email: String!, $method: String!, $code: String!) {
    confirmRequest2FA(email: $email, method: $method, code: $code)
  }`;

  it('Strapi-native twoFactorEnable: 403 without a code, the method added with one', async () => {
    const { user, secret } = await alice();
    const phone = newPhone();
    expectGraphqlStepUpRequired(await gql(app, ENABLE, { method: 'sms', phone }, user.jwt));
    expect(sms.to(phone)).toHaveLength(0);
    const enabled = await gql(app, ENABLE, { method: 'sms', phone, code: codeAt(secret, 0) }, user.jwt);
    expect(enabled.body.data?.twoFactorEnable.message, JSON.stringify(enabled.body)).toBe('Sent verify code via SMS');
    const confirmed = await gql(app, CONFIRM, { method: 'sms', code: await textedCode(sms, phone, 1) }, user.jwt);
    expect(confirmed.body.data?.twoFactorConfirm).toEqual({ enabled: true, methods: ['totp', 'sms'] });
  });

  it('NYYU request2FA(phone): refused without a code, and a confirmRequest2FA of an early enrolment is refused too', async () => {
    const { user, secret } = await alice();
    const phone = newPhone();
    expectGraphqlStepUpRequired(await gql(app, REQUEST, { email: user.email, method: 'phone', phone }, user.jwt));
    expect(sms.to(phone)).toHaveLength(0);
    const withCode = await gql(app, REQUEST, { email: user.email, method: 'phone', phone, code: codeAt(secret, 0) }, user.jwt);
    expect(withCode.body.data?.request2FA, JSON.stringify(withCode.body)).toBe('Sent verify code via SMS');

    const early = await registerUser(app, 'nyyu-early');
    const earlyPhone = newPhone();
    expect((await gql(app, REQUEST, { email: early.email, method: 'phone', phone: earlyPhone }, early.jwt)).body.data?.request2FA).toBe(
      'Sent verify code via SMS'
    );
    const code = await textedCode(sms, earlyPhone, 1);
    await enrolTotp(app, early);
    expectGraphqlStepUpRequired(await gql(app, CONFIRM_REQUEST, { email: early.email, method: 'phone', code }, early.jwt));
    expect((await status(early)).methods).toEqual(['totp']);
  });

  it('Craft generateTwoFactorSecretCode: an account with a factor gets no secret without a code', async () => {
    const user = await registerUser(app, 'craft');
    await enrolEmail(app, mail, user);
    // The owner's own pending authenticator (started with a code) is not shown to a JWT alone.
    const owner = await post('/api/two-factor/enable', user, { method: 'totp', code: await emailedStepUp(app, mail, user) });
    expect(owner.status).toBe(200);
    const res = await gql(app, `mutation { generateTwoFactorSecretCode }`, {}, user.jwt);
    expectGraphqlStepUpRequired(res);
    expect(JSON.stringify(res.body)).not.toContain(owner.body.secret);
    const withCode = await gql(app, `mutation($code: String) { generateTwoFactorSecretCode(code: $code) }`, {
      code: await emailedStepUp(app, mail, user),
    }, user.jwt);
    expect(withCode.body.data?.generateTwoFactorSecretCode, JSON.stringify(withCode.body)).toMatch(/^[A-Z2-7]+$/);
  });
});
