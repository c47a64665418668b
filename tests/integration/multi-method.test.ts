import { describe, it, expect, beforeEach } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, passwordLogin, pendingLogin, registerUser, updateSettings, type TestUser } from '../helpers/flows';
import type { MailServer } from '../helpers/mail-server';
import type { SmsServer } from '../helpers/sms-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { auth, emailedStepUp, enrolEmail, enrolSms, mailedCode, newPhone, send, setSendLimits, textedCode, verify } from '../helpers/otp-flows';

let app: TestApp;
let mail: MailServer;
let sms: SmsServer;

useDeliveryApp({}, (delivery) => {
  ({ app, mail, sms } = delivery);
  app.logs.allow(/two-factor: email delivery failed|two-factor: could not send the [\w.]+ notice/); // the failing mail server test
});
beforeEach(() => setSendLimits(app));

/** A user with every method: TOTP, email, SMS, and the backup codes of the first confirmation. */
async function everyMethod() {
  const user = await registerUser(app, 'multi');
  const phone = newPhone();
  const { secret, backupCodes } = await enrolTotp(app, user);
  // Each method after the first is added with a current code of one the user has: TOTP's
  // step 0 for email (step 1 stays free for the tests), then an emailed step-up code for SMS.
  const email = await enrolEmail(app, mail, user, codeAt(secret, 0));
  const text = await enrolSms(app, sms, user, phone, await emailedStepUp(app, mail, user));
  // Backup codes come once, with the first factor only.
  expect(backupCodes).toHaveLength(10);
  expect(email.backupCodes).toBeUndefined();
  expect(text.backupCodes).toBeUndefined();
  expect(text.confirmation.methods).toEqual(['totp', 'email', 'sms']);
  return { user, phone, secret, backupCodes, mails: () => mail.to(user.email).length, texts: () => sms.to(phone).length };
}

const status = async (user: TestUser) => (await app.http().get('/api/two-factor/status').set(auth(user))).body;

describe('several methods per user', () => {
  it('status and the login list every confirmed method, then backup codes', async () => {
    const { user } = await everyMethod();
    expect(await status(user)).toEqual({ enabled: true, methods: ['totp', 'email', 'sms'], backupCodesRemaining: 10 });
    const login = await passwordLogin(app, user.email);
    expect(login.body.methods).toEqual(['totp', 'email', 'sms', 'backup_code']);
  });

  it('verify accepts any confirmed method, with or without naming it', async () => {
    const { user, phone, secret, backupCodes, mails, texts } = await everyMethod();
    const cases: [string, (mfaToken: string) => Promise<string>][] = [
      ['totp', async () => codeAt(secret, 1)],
      ['email', async (mfaToken) => {
        const before = mails();
        await send(app, { mfaToken, method: 'email' });
        return mailedCode(mail, user.email, before + 1);
      }],
      ['sms', async (mfaToken) => {
        const before = texts();
        await send(app, { mfaToken, method: 'sms' });
        return textedCode(sms, phone, before + 1);
      }],
      ['backup_code', async () => backupCodes[0]],
    ];
    for (const named of [true, false]) {
      for (const [method, codeFor] of cases) {
        if (method === 'totp' && !named) continue; // one TOTP step is used once (T3)
        if (method === 'backup_code' && !named) backupCodes.shift();
        const mfaToken = await pendingLogin(app, user);
        const code = await codeFor(mfaToken);
        const res = await verify(app, { mfaToken, code, ...(named ? { method } : {}) });
        expect(res.status, `${method} named=${named}`).toBe(200);
        expect(res.body.jwt).toEqual(expect.any(String));
      }
    }
  });

  it('a code of one method does not pass as another: an emailed code named as SMS fails', async () => {
    const { user, mails } = await everyMethod();
    const mfaToken = await pendingLogin(app, user);
    const before = mails();
    await send(app, { mfaToken, method: 'email' });
    const code = await mailedCode(mail, user.email, before + 1);
    expect((await verify(app, { mfaToken, code, method: 'sms' })).status).toBe(400);
    expect((await verify(app, { mfaToken, code, method: 'email' })).status).toBe(200);
  });

  it('disable with a method removes that one and keeps the others; without, all go', async () => {
    const { user, secret, backupCodes } = await everyMethod();
    const sms1 = await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code: codeAt(secret, 1), method: 'sms' });
    expect(sms1.status).toBe(200);
    expect(sms1.body).toEqual({ enabled: true, methods: ['totp', 'email'] });
    expect((await passwordLogin(app, user.email)).body.methods).toEqual(['totp', 'email', 'backup_code']);
    const again = await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code: codeAt(secret, 1), method: 'sms' });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe('SMS two-factor is not enabled for this account');
    expect((await status(user)).backupCodesRemaining).toBe(10);

    const all = await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code: backupCodes[0] });
    expect(all.body).toEqual({ enabled: false, methods: [] });
    expect(await status(user)).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
    expect(Object.keys((await passwordLogin(app, user.email)).body).sort()).toEqual(['jwt', 'user']);
  });
});

describe('step-up codes: a signed-in user proves an emailed or texted factor (L1)', () => {
  it('send with a users-permissions JWT mails a code that disables a method', async () => {
    const { user, mails } = await everyMethod();
    const before = mails();
    const sent = await app.http().post('/api/two-factor/send').set(auth(user)).send({ method: 'email' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ message: 'Sent verify code via email' });
    const messages = await mail.waitFor(user.email, before + 1);
    expect(messages.at(-1)!.text).toContain('confirm a change to your two-factor settings');
    const code = await mailedCode(mail, user.email, before + 1);
    const res = await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code, method: 'totp' });
    expect(res.status).toBe(200);
    expect(res.body.methods).toEqual(['email', 'sms']);
    // Used once.
    const reuse = await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code, method: 'sms' });
    expect(reuse.status).toBe(400);
  });

  it('a texted step-up code regenerates backup codes', async () => {
    const { user, phone, texts } = await everyMethod();
    const before = texts();
    expect((await app.http().post('/api/two-factor/send').set(auth(user)).send({ method: 'sms' })).status).toBe(200);
    const code = await textedCode(sms, phone, before + 1);
    const res = await app.http().post('/api/two-factor/backup-codes').set(auth(user)).send({ code });
    expect(res.status).toBe(200);
    expect(res.body.backupCodes).toHaveLength(10);
  });

  it('a step-up code cannot finish a login, and a login code cannot disable', async () => {
    const { user, mails } = await everyMethod();
    const stepUp = await emailedStepUp(app, mail, user);
    const mfaToken = await pendingLogin(app, user);
    expect((await verify(app, { mfaToken, code: stepUp, method: 'email' })).status).toBe(400);

    const before = mails();
    await send(app, { mfaToken, method: 'email' });
    const loginCode = await mailedCode(mail, user.email, before + 1);
    if (loginCode !== stepUp) {
      expect((await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code: loginCode, method: 'sms' })).status).toBe(400);
    }
    expect((await verify(app, { mfaToken, code: loginCode })).status).toBe(200);
  });

  it('send for a method the user lacks says so', async () => {
    const user = await registerUser(app);
    await enrolTotp(app, user);
    const res = await app.http().post('/api/two-factor/send').set(auth(user)).send({ method: 'email' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Email two-factor is not enabled for this account');
  });
});

describe('GraphQL (Strapi-native): the same codes', () => {
  const gql = (query: string, variables: Record<string, unknown>) => app.http().post('/graphql').send({ query, variables });

  it('twoFactorSend mails or texts a login code; twoFactorVerify takes it', async () => {
    const { user, phone, mails, texts } = await everyMethod();
    for (const method of ['email', 'sms'] as const) {
      const mfaToken = await pendingLogin(app, user);
      const before = method === 'email' ? mails() : texts();
      const sent = await gql('mutation($t: String!, $m: String!) { twoFactorSend(mfaToken: $t, method: $m) }', { t: mfaToken, m: method });
      expect(sent.body).toEqual({ data: { twoFactorSend: method === 'email' ? 'Sent verify code via email' : 'Sent verify code via SMS' } });
      const code = method === 'email' ? await mailedCode(mail, user.email, before + 1) : await textedCode(sms, phone, before + 1);
      const res = await gql('mutation($t: String!, $c: String!, $m: String) { twoFactorVerify(mfaToken: $t, code: $c, method: $m) { jwt } }', {
        t: mfaToken,
        c: code,
        m: method,
      });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.twoFactorVerify.jwt).toEqual(expect.any(String));
    }
  });

  it('NYYU confirm2FA takes an emailed and a texted login code as entries (seed 003)', async () => {
    const { user, phone, mails, texts } = await everyMethod();
    const signin = await gql('mutation($e: String!, $p: String!) { signin(email: $e, password: $p) { status token } }', {
      e: user.email,
      p: 'Correct-Horse-9',
    });
    expect(signin.body.data.signin.status).toBe('2FA');
    const token = signin.body.data.signin.token;
    const [beforeMail, beforeText] = [mails(), texts()];
    await gql('mutation($t: String!) { twoFactorSend(mfaToken: $t, method: "email") }', { t: token });
    const emailCode = await mailedCode(mail, user.email, beforeMail + 1);
    // The SMS replaces the emailed code on this login (O4), so the email entry goes in alone first.
    const res = await gql('mutation($e: String!, $t: String!, $c: [TwoFAEntry]!) { confirm2FA(email: $e, token: $t, code: $c) { status token } }', {
      e: user.email,
      t: token,
      c: [{ key: 'email', value: emailCode }],
    });
    expect(res.body.data.confirm2FA.status).toBe('Success');
    const second = (await gql('mutation($e: String!, $p: String!) { signin(email: $e, password: $p) { status token } }', { e: user.email, p: 'Correct-Horse-9' }))
      .body.data.signin.token;
    await gql('mutation($t: String!) { twoFactorSend(mfaToken: $t, method: "sms") }', { t: second });
    const smsCode = await textedCode(sms, phone, beforeText + 1);
    const bySms = await gql('mutation($e: String!, $t: String!, $c: [TwoFAEntry]!) { confirm2FA(email: $e, token: $t, code: $c) { status token } }', {
      e: user.email,
      t: second,
      c: [{ key: 'phone', value: smsCode }],
    });
    expect(bySms.body.data.confirm2FA.status).toBe('Success');
  });

  it('a failing provider is a clear error, never an internal one', async () => {
    const { user } = await everyMethod();
    const mfaToken = await pendingLogin(app, user);
    mail.refuse({ code: 451, message: 'later' });
    try {
      const res = await gql('mutation($t: String!) { twoFactorSend(mfaToken: $t, method: "email") }', { t: mfaToken });
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].message).toBe('The email could not be sent. Try again later.');
      expect(res.body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
    } finally {
      mail.refuse(null);
    }
  });
});

describe('a role that requires 2FA can set up email first (docs/rest-api.md, "2FA setup required")', () => {
  it('enable and confirm with the setup token finish the login', async () => {
    // Registered first: registering into an enforced role answers a pending login, not a user (J6).
    const user = await registerUser(app, 'setup');
    await updateSettings(app, { enforcedRoles: ['authenticated'] });
    try {
      const login = await passwordLogin(app, user.email);
      expect(login.body.twoFaSetupRequired).toBe(true);
      const mfaToken = login.body.mfaToken;
      const enable = await app.http().post('/api/two-factor/enable').send({ method: 'email', mfaToken });
      expect(enable.status).toBe(200);
      const code = await mailedCode(mail, user.email, 1);
      const confirm = await app.http().post('/api/two-factor/confirm').send({ method: 'email', code, mfaToken });
      expect(confirm.status).toBe(200);
      expect(confirm.body).toMatchObject({ jwt: expect.any(String), enabled: true, methods: ['email'] });
      expect(confirm.body.backupCodes).toHaveLength(10);
    } finally {
      await updateSettings(app, { enforcedRoles: [] });
    }
  });
});
