import { describe, it, expect, afterAll, beforeEach } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import { passwordLogin, pendingLogin, registerUser, updateSettings } from '../helpers/flows';
import type { SmsServer } from '../helpers/sms-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { codeIn } from '../helpers/mail-server';
import { captureLogs } from '../helpers/logs';
import { closedPort } from '../helpers/wait';
import { auth, enrolSms, newPhone, send, setSendLimits, textedCode, smsUser, verify, withSmsConfig } from '../helpers/otp-flows';

let app: TestApp;
let sms: SmsServer;
let logs: ReturnType<typeof captureLogs>;
const seenCodes: string[] = [];
const remember = (code: string) => (seenCodes.push(code), code);

useDeliveryApp({ mail: false }, (delivery) => {
  ({ app, sms } = delivery);
  app.logs.expect(/two-factor: SMS delivery via webhook failed/); // the failing webhook tests
  logs = captureLogs(app.strapi);
});
afterAll(() => logs?.stop());
beforeEach(() => setSendLimits(app));

const enable = (user: { jwt: string }, body: Record<string, unknown>) =>
  app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'sms', ...body });

describe('SMS enrolment (seed 002 "phone", seed 004 "Phone OTP", O6)', () => {
  it('a provider is configured, so SMS is on by default', async () => {
    expect((await app.strapi.plugin('two-factor').service('settings').get()).methods.sms).toBe(true);
  });

  it('enable texts one code through the webhook; confirm with it turns SMS on', async () => {
    const user = await registerUser(app, 'sms');
    const phone = newPhone();
    const res = await enable(user, { phone });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Sent verify code via SMS' });
    const [message] = await sms.waitFor(phone, 1);
    const code = remember(codeIn({ text: message.body }));
    expect(message.via).toBe('webhook');
    expect(message.body).toBe(`${code} is your Strapi verification code. It expires in 10 minutes.`);
    // Not a factor until proven.
    expect((await app.http().get('/api/two-factor/status').set(auth(user))).body.methods).toEqual([]);
    expect((await passwordLogin(app, user.email)).body.jwt).toEqual(expect.any(String));
    const confirm = await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'sms', code });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toMatchObject({ enabled: true, methods: ['sms'] });
    expect(confirm.body.backupCodes).toHaveLength(10);
    expect(sms.to(phone)).toHaveLength(1);
  });

  it('accepts E.164 numbers only and sends nothing for others', async () => {
    const user = await registerUser(app);
    const before = sms.messages.length;
    for (const phone of ['4155551234', '+0415555123', '+1 415 555 1234', '+1-415-555-1234', '00441234567890', '+1234', '+1234567890123456', 'abc']) {
      const res = await enable(user, { phone });
      expect(res.status, phone).toBe(400);
      expect(res.body.error.message, phone).toBe('phone must be an E.164 number, for example +14155551234');
    }
    expect((await enable(user, {})).status).toBe(400);
    expect((await enable(user, { phone: 14155551234 })).status).toBe(400);
    expect(sms.messages.length).toBe(before);
  });

  it('a number counts only once the code sent to it comes back: a re-enable to another number kills the first code', async () => {
    const user = await registerUser(app);
    const first = newPhone();
    const second = newPhone();
    await enable(user, { phone: first });
    const firstCode = remember(await textedCode(sms, first, 1));
    await enable(user, { phone: second });
    const secondCode = remember(await textedCode(sms, second, 1));
    if (firstCode !== secondCode) {
      expect((await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'sms', code: firstCode })).status).toBe(400);
    }
    expect((await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'sms', code: secondCode })).status).toBe(200);
    // Login codes go to the proven number only.
    const mfaToken = await pendingLogin(app, user);
    expect((await send(app, { mfaToken, method: 'sms' })).status).toBe(200);
    await sms.waitFor(second, 2);
    expect(sms.to(first)).toHaveLength(1);
    const again = await enable(user, { phone: newPhone() });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/SMS two-factor is already enabled/);
  });

  it('seed 004: twoFa/enable with { method: "sms", phone }', async () => {
    const user = await registerUser(app);
    const phone = newPhone();
    const res = await app.http().post('/api/authentication/twoFa/enable').set(auth(user)).send({ method: 'sms', phone });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Sent verify code via SMS' });
    await sms.waitFor(phone, 1);
  });
});

describe('SMS login codes', () => {
  it('send texts a code; verify with it (with or without method) answers the login', async () => {
    const { user, phone } = await smsUser(app, sms);
    const login = await passwordLogin(app, user.email);
    expect(login.body.methods).toEqual(['sms', 'backup_code']);
    const sent = await send(app, { mfaToken: login.body.mfaToken, method: 'sms' });
    expect(sent.body).toEqual({ message: 'Sent verify code via SMS' });
    const code = remember(await textedCode(sms, phone, 2));
    const res = await verify(app, { mfaToken: login.body.mfaToken, code });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'user']);
    // Dead after use.
    const next = await pendingLogin(app, user);
    expect((await verify(app, { mfaToken: next, code, method: 'sms' })).status).toBe(400);
  });

  it('a resend kills the previous code', async () => {
    const { user, phone } = await smsUser(app, sms);
    const mfaToken = await pendingLogin(app, user);
    await send(app, { mfaToken, method: 'sms' });
    const old = remember(await textedCode(sms, phone, 2));
    await send(app, { mfaToken, method: 'sms' });
    const fresh = remember(await textedCode(sms, phone, 3));
    if (old !== fresh) expect((await verify(app, { mfaToken, code: old, method: 'sms' })).status).toBe(400);
    expect((await verify(app, { mfaToken, code: fresh, method: 'sms' })).status).toBe(200);
  });
});

describe('"SMS module required"', () => {
  const withoutProvider = (fn: () => Promise<void>) => withSmsConfig(app, undefined, fn);

  it('without a provider SMS cannot be switched on, and enable says why', async () => {
    await withoutProvider(async () => {
      await expect(updateSettings(app, { methods: { sms: true } })).rejects.toThrow(/SMS module required/);
      const user = await registerUser(app);
      const res = await enable(user, { phone: newPhone() });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('SMS module required: no SMS provider is configured on this site');
    });
  });

  it('a confirmed SMS factor whose provider went away gets a 503 on send, never a 500', async () => {
    const { user, phone } = await smsUser(app, sms);
    const mfaToken = await pendingLogin(app, user);
    await withoutProvider(async () => {
      const res = await send(app, { mfaToken, method: 'sms' });
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe('SMS module required: no SMS provider is configured');
    });
  });

  it('an operator who switched SMS off stops new enrolments', async () => {
    await updateSettings(app, { methods: { sms: false } });
    try {
      const user = await registerUser(app);
      const res = await enable(user, { phone: newPhone() });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('SMS two-factor is not enabled on this site');
    } finally {
      await updateSettings(app, { methods: { sms: true } });
    }
  });
});

describe('a failing SMS provider', () => {
  it('enable answers 503 with a message, leaves no pending factor, and a retry works', async () => {
    const user = await registerUser(app);
    const phone = newPhone();
    sms.fail(500);
    const res = await enable(user, { phone });
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({ status: 503, name: 'ServiceUnavailableError', message: 'The SMS could not be sent. Try again later.', details: { code: 'DELIVERY_FAILED' } });
    expect(await app.strapi.db.connection('two_factor_factors').where('user_id', user.id)).toHaveLength(0);
    sms.fail(null);
    setSendLimits(app, { cooldown: 60 });
    await enrolSms(app, sms, user, phone);
  });

  it('an unreachable webhook is a 503 too, and login send keeps the pending login usable', async () => {
    const { user, phone } = await smsUser(app, sms);
    const mfaToken = await pendingLogin(app, user);
    const url = `http://127.0.0.1:${await closedPort()}/webhook`;
    await withSmsConfig(app, { provider: 'webhook', providerOptions: { url, timeout: 2000 } }, async () => {
      expect((await send(app, { mfaToken, method: 'sms' })).status).toBe(503);
    });
    expect((await send(app, { mfaToken, method: 'sms' })).status).toBe(200);
    const code = remember(await textedCode(sms, phone, 2));
    expect((await verify(app, { mfaToken, code })).status).toBe(200);
  });
});

describe('the host app without SMTP_HOST (this suite sets none)', () => {
  it('writes mail to its log instead of sending it: a development aid, documented as such', async () => {
    const user = await registerUser(app, 'nosmtp');
    const res = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'email' });
    expect(res.status).toBe(200);
    expect(logs.text()).toMatch(
      new RegExp(`\\[host app mail log: SMTP_HOST is not set, nothing was sent\\]\\nFrom: no-reply@two-factor.test\\nTo: ${user.email}\\nSubject: Your Strapi verification code: \\d{6}`)
    );
  });
});

describe('logs (O3)', () => {
  it('no texted code reached the Strapi log; failures were logged without them', () => {
    // Every code the provider received, not only those the tests used.
    const codes = new Set([...seenCodes, ...sms.messages.map((m) => codeIn({ text: m.body }))]);
    expect(codes.size).toBeGreaterThan(10);
    const text = logs.text();
    for (const code of codes) expect(text).not.toContain(code);
    expect(text).toMatch(/two-factor: SMS delivery via webhook failed: webhook answered HTTP 500/);
    expect(text).toMatch(/two-factor: SMS delivery via webhook failed: ECONNREFUSED/);
  });
});
