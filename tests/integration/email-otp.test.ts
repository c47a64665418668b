import { describe, it, expect, afterAll, beforeEach } from 'vitest';
import { createRequire } from 'node:module';
import path from 'node:path';
import { APP_DIR, type TestApp } from '../helpers/strapi';
import { passwordLogin, pendingLogin, pluginService, registerUser, updateSettings, type TestUser } from '../helpers/flows';
import { codeIn, type MailServer } from '../helpers/mail-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { captureLogs } from '../helpers/logs';
import { closedPort } from '../helpers/wait';
import { auth, enrolEmail, mailedCode, send, setSendLimits, verify } from '../helpers/otp-flows';

let app: TestApp;
let mail: MailServer;
let logs: ReturnType<typeof captureLogs>;
const seenCodes: string[] = [];

useDeliveryApp({ sms: 'none' }, (delivery) => {
  ({ app, mail } = delivery);
  app.logs.expect(/two-factor: email delivery failed/); // the failing SMTP server tests
  app.logs.allow(/two-factor: could not send the \w+ notice/); // a notice the refusing server turned down
  logs = captureLogs(app.strapi);
});
afterAll(() => logs?.stop());
beforeEach(() => setSendLimits(app));

/** A code read from a mail, remembered so the last test can prove none reached the log. */
const remember = (code: string) => (seenCodes.push(code), code);

describe('email enrolment (seed 002, O7)', () => {
  it('enable sends one code by SMTP; confirm with it turns email 2FA on and returns backup codes', async () => {
    const user = await registerUser(app, 'mail');
    const enable = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
    expect(enable.status).toBe(200);
    expect(enable.body).toEqual({ message: 'Sent verify code via email' });
    const [message] = await mail.waitFor(user.email, 1);
    const code = remember(codeIn(message));
    expect(message.to).toEqual([user.email]);
    expect(message.from).toBe('no-reply@two-factor.test');
    // Template: the code, its lifetime and the app name, in subject, text and html.
    expect(message.subject).toBe(`Your Strapi verification code: ${code}`);
    expect(message.text).toContain(`Your Strapi verification code is ${code}`);
    expect(message.text).toContain('It expires in 10 minutes');
    expect(message.text).toContain('turn on two-factor sign-in with this email address');
    expect(message.html).toContain(`>${code}</p>`);
    // Pending until confirmed: no method yet, and the login is still a plain one.
    expect((await app.http().get('/api/two-factor/status').set(auth(user))).body.enabled).toBe(false);
    expect((await passwordLogin(app, user.email)).body.jwt).toEqual(expect.any(String));

    const confirm = await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'email', code });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toMatchObject({ enabled: true, methods: ['email'] });
    expect(confirm.body.backupCodes).toHaveLength(10);
    expect(mail.to(user.email)).toHaveLength(1); // once per send
  });

  it('refuses an unconfirmed email address with "Not verified" and sends nothing', async () => {
    const user = await registerUser(app, 'unverified');
    await app.strapi.db.query('plugin::users-permissions.user').update({ where: { id: user.id }, data: { confirmed: false } });
    const res = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Not verified');
    expect(mail.to(user.email)).toHaveLength(0);
  });

  it('a wrong code leaves email 2FA off; an already enabled email is refused', async () => {
    const user = await registerUser(app);
    await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
    const code = remember(await mailedCode(mail, user.email, 1));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const bad = await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'email', code: wrong });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Invalid two-factor code');
    expect((await app.http().get('/api/two-factor/status').set(auth(user))).body.enabled).toBe(false);
    expect((await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'email', code })).status).toBe(200);
    const again = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/already enabled/);
  });

  it('stores only an HMAC of the code (O3)', async () => {
    const user = await registerUser(app);
    await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
    const code = remember(await mailedCode(mail, user.email, 1));
    const rows = await app.strapi.db.connection('two_factor_challenges').where('user_id', user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it('operators change the template in the configuration', async () => {
    const key = 'plugin::two-factor.email.template';
    const saved = app.strapi.config.get(key);
    app.strapi.config.set(key, {
      subject: 'Code for <%= appName %>',
      text: 'Code <%= code %>, <%= minutes %> min, <%= appName %>.',
      html: '<b><%= code %></b> <i><%= appName %></i>',
    });
    app.strapi.config.set('plugin::two-factor.appName', 'Shop <Acme>');
    try {
      await updateSettings(app, { codeLifetime: 300 });
      const user = await registerUser(app);
      await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
      const [message] = await mail.waitFor(user.email, 1);
      const code = remember(codeIn(message));
      expect(message.subject).toBe('Code for Shop <Acme>');
      expect(message.text).toBe(`Code ${code}, 5 min, Shop <Acme>.`);
      expect(message.html).toBe(`<b>${code}</b> <i>Shop &lt;Acme&gt;</i>`); // values are HTML-escaped
    } finally {
      app.strapi.config.set(key, saved);
      app.strapi.config.set('plugin::two-factor.appName', undefined);
      await updateSettings(app, { codeLifetime: 600 });
    }
  });
});

describe('email login codes (docs/rest-api.md send/verify, O1–O5)', () => {
  const emailUser = async () => {
    const user = await registerUser(app, 'login');
    await enrolEmail(app, mail, user);
    return user;
  };

  /** A new login of an emailUser() with a code mailed for it (its second mail): the token and that code, remembered. */
  const emailedLogin = async (user: TestUser) => {
    const mfaToken = await pendingLogin(app, user);
    await send(app, { mfaToken, method: 'email' });
    return { mfaToken, code: remember(await mailedCode(mail, user.email, 2)) };
  };

  it('the login lists email; send mails a code once; verify with it answers { jwt, user }', async () => {
    const user = await emailUser();
    const login = await passwordLogin(app, user.email);
    expect(login.body).toMatchObject({ twoFaRequired: true, methods: ['email', 'backup_code'] });
    const sent = await send(app, { mfaToken: login.body.mfaToken, method: 'email' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ message: 'Sent verify code via email' });
    const [, message] = await mail.waitFor(user.email, 2);
    expect(message.text).toContain('Use it to sign in.');
    const code = remember(codeIn(message));
    const res = await verify(app, { mfaToken: login.body.mfaToken, code, method: 'email' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'user']);
    expect(mail.to(user.email)).toHaveLength(2);
  });

  it('verify without a method finds the emailed code; the cookie alone works for send and verify', async () => {
    const user = await emailUser();
    const agent = (await import('supertest')).default.agent(app.strapi.server.httpServer);
    const login = await agent.post('/api/auth/local').send({ identifier: user.email, password: 'Correct-Horse-9' });
    expect(login.body.twoFaRequired).toBe(true);
    expect((await agent.post('/api/two-factor/send').send({ method: 'email' })).status).toBe(200);
    const code = remember(await mailedCode(mail, user.email, 2));
    const res = await agent.post('/api/two-factor/verify').send({ code: ` ${code} ` });
    expect(res.status).toBe(200);
    expect(res.body.jwt).toEqual(expect.any(String));
  });

  it('a code dies after use (O2)', async () => {
    const user = await emailUser();
    const { mfaToken, code } = await emailedLogin(user);
    expect((await verify(app, { mfaToken, code })).status).toBe(200);
    // A new login, the old code: refused.
    const next = await pendingLogin(app, user);
    const reuse = await verify(app, { mfaToken: next, code, method: 'email' });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error.message).toBe('Invalid two-factor code');
  });

  it('a code is bound to its own login: another pending login of the same user cannot use it (O2)', async () => {
    const user = await emailUser();
    const first = await pendingLogin(app, user);
    const second = await pendingLogin(app, user);
    await send(app, { mfaToken: first, method: 'email' });
    const code = remember(await mailedCode(mail, user.email, 2));
    expect((await verify(app, { mfaToken: second, code, method: 'email' })).status).toBe(400);
    expect((await verify(app, { mfaToken: first, code, method: 'email' })).status).toBe(200);
  });

  it('a resend kills the previous code and keeps the failure count (O4)', async () => {
    const user = await emailUser();
    const { mfaToken, code: old } = await emailedLogin(user);
    expect((await verify(app, { mfaToken, code: old === '000000' ? '000001' : '000000' })).status).toBe(400);
    await send(app, { mfaToken, method: 'email' });
    const fresh = remember(await mailedCode(mail, user.email, 3));
    expect((await pluginService(app, 'throttle').state(user.id)).failures).toBe(1);
    if (old !== fresh) expect((await verify(app, { mfaToken, code: old, method: 'email' })).status).toBe(400);
    expect((await pluginService(app, 'throttle').state(user.id)).failures).toBe(old !== fresh ? 2 : 1);
    expect((await verify(app, { mfaToken, code: fresh, method: 'email' })).status).toBe(200);
    expect((await pluginService(app, 'throttle').state(user.id)).failures).toBe(0); // success resets (R1)
  });

  it('a code dies after its lifetime (O1)', async () => {
    const user = await emailUser();
    const { mfaToken, code } = await emailedLogin(user);
    // Ten minutes and a second later, as far as the row is concerned.
    await app.strapi.db
      .connection('two_factor_challenges')
      .where('user_id', user.id)
      .where('purpose', 'login')
      .update({ code_expires_at: Date.now() - 1000 });
    const res = await verify(app, { mfaToken, code, method: 'email' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Invalid two-factor code');
  });

  it('after 5 wrong guesses the code is dead, even the right one (O5)', async () => {
    const user = await emailUser();
    const { mfaToken, code } = await emailedLogin(user);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) expect((await verify(app, { mfaToken, code: wrong, method: 'email' })).status).toBe(400);
    expect((await verify(app, { mfaToken, code, method: 'email' })).status).toBe(400);
    // A new code works (6 failures so far, below the account's 10).
    await send(app, { mfaToken, method: 'email' });
    const fresh = remember(await mailedCode(mail, user.email, 3));
    expect((await verify(app, { mfaToken, code: fresh, method: 'email' })).status).toBe(200);
  });

  it('malformed codes get the generic error and count as failures (T5)', async () => {
    const user = await emailUser();
    const { mfaToken } = await emailedLogin(user);
    for (const code of ['', 'abcdef', '12345', '1234567', 123456, { a: 1 }, ['123456'], '１２３４５６']) {
      const res = await verify(app, { mfaToken, code, method: 'email' });
      expect(res.status, JSON.stringify(code)).toBe(400);
      expect(res.body.error.message, JSON.stringify(code)).toMatch(/Invalid two-factor code|code is required/);
    }
  });

  it('send refuses a method the user does not have, an unknown method and a bad token', async () => {
    const user = await emailUser();
    const mfaToken = await pendingLogin(app, user);
    const sms = await send(app, { mfaToken, method: 'sms' });
    expect(sms.status).toBe(400);
    expect(sms.body.error.message).toBe('SMS two-factor is not enabled for this account');
    const totp = await send(app, { mfaToken, method: 'totp' });
    expect(totp.status).toBe(400);
    expect(totp.body.error.message).toBe('method must be one of email, sms');
    const none = await send(app, { method: 'email' });
    expect(none.status).toBe(401);
    const forged = await send(app, { mfaToken: `${mfaToken}x`, method: 'email' });
    expect(forged.status).toBe(401);
    expect(forged.body.error.message).toBe('Invalid or expired two-factor session');
    // A users-permissions JWT is no pending login (J2): with it, send is a step-up of that user.
    expect(mail.to(user.email)).toHaveLength(1);
  });

  it('seed 004 path: POST /api/authentication/twoFa/send', async () => {
    const user = await emailUser();
    const mfaToken = await pendingLogin(app, user);
    const res = await app.http().post('/api/authentication/twoFa/send').send({ mfaToken, method: 'email' });
    expect(res.status).toBe(200);
    const code = remember(await mailedCode(mail, user.email, 2));
    expect((await app.http().post('/api/authentication/twoFa/verify').send({ mfaToken, code })).status).toBe(200);
  });
});

describe('a failing SMTP server', () => {
  it('enable answers 503 with a message, leaves no pending factor, and a retry works', async () => {
    const user = await registerUser(app, 'smtpdown');
    mail.refuse({ code: 451, message: 'Try again later' });
    const res = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      data: null,
      error: { status: 503, name: 'ServiceUnavailableError', message: 'The email could not be sent. Try again later.', details: { code: 'DELIVERY_FAILED' } },
    });
    expect(await app.strapi.db.connection('two_factor_factors').where('user_id', user.id)).toHaveLength(0);
    const row = await app.strapi.db.connection('two_factor_challenges').where('user_id', user.id).first();
    expect(row?.code_hash ?? null).toBeNull();

    mail.refuse(null);
    setSendLimits(app, { cooldown: 60 }); // a failed send does not start the cooldown
    await enrolEmail(app, mail, user);
  });

  it('login send answers 503 and the pending login stays usable', async () => {
    const user = await registerUser(app);
    await enrolEmail(app, mail, user);
    const mfaToken = await pendingLogin(app, user);
    mail.refuse({ code: 554, message: 'Transaction failed' });
    const res = await send(app, { mfaToken, method: 'email' });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe('The email could not be sent. Try again later.');
    expect(JSON.stringify(res.body)).not.toMatch(/stack|Transaction failed|at .*\.js/);
    mail.refuse(null);
    expect((await send(app, { mfaToken, method: 'email' })).status).toBe(200);
    const code = remember(await mailedCode(mail, user.email, 2));
    expect((await verify(app, { mfaToken, code })).status).toBe(200);
  });

  it('an unreachable SMTP server is a 503 too', async () => {
    const user = await registerUser(app);
    // The nodemailer provider of the host app, pointed at a port where nothing listens.
    const port = await closedPort();
    const nodemailer = createRequire(path.join(APP_DIR, 'package.json'))('@strapi/provider-email-nodemailer');
    const provider = app.strapi.plugin('email').provider;
    app.strapi.plugin('email').provider = nodemailer.init(
      { host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 2000 },
      { defaultFrom: 'no-reply@two-factor.test' }
    );
    try {
      const res = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
      expect(res.status).toBe(503);
    } finally {
      app.strapi.plugin('email').provider = provider;
    }
    expect(await app.strapi.db.connection('two_factor_factors').where('user_id', user.id)).toHaveLength(0);
  });
});

describe('logs (O3)', () => {
  it('no code sent in this suite ever reached the Strapi log; failures were logged without them', () => {
    // Every code the SMTP server received, not only those the tests used.
    const codes = new Set([...seenCodes, ...mail.messages.filter((m) => m.notice === null).map((m) => codeIn(m))]);
    expect(codes.size).toBeGreaterThan(20);
    const text = logs.text();
    for (const code of codes) expect(text).not.toContain(code);
    expect(text).toMatch(/two-factor: email delivery failed: .*451/);
    expect(text).toMatch(/two-factor: email delivery failed: .*ECONNREFUSED/);
  });
});
