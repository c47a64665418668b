import { expect } from 'vitest';
import type { TestApp } from './strapi';
import { registerUser, type TestUser } from './flows';
import { codeIn, type MailServer } from './mail-server';
import type { SmsServer } from './sms-server';

const CONFIG = 'plugin::two-factor';

/** Send limits for a suite: no cooldown and room for many sends from 127.0.0.1, unless a test says otherwise. */
export function setSendLimits(app: TestApp, limits: Partial<{ cooldown: number; perAccount: object; perIp: object }> = {}) {
  app.strapi.config.set(`${CONFIG}.sendLimits`, {
    cooldown: 0,
    perAccount: { max: 1000, window: 3600 },
    perIp: { max: 10000, window: 3600 },
    ...limits,
  });
}

export const auth = (user: { jwt: string }) => ({ Authorization: `Bearer ${user.jwt}` });

/** The code of the newest message to this address, after waiting for the `count`th one. */
export async function mailedCode(mail: MailServer, address: string, count: number): Promise<string> {
  const messages = await mail.waitFor(address, count);
  return codeIn(messages[count - 1]);
}

export async function textedCode(sms: SmsServer, phone: string, count: number): Promise<string> {
  const messages = await sms.waitFor(phone, count);
  return codeIn({ text: messages[count - 1].body });
}

/** A step-up code by email: a signed-in user with email 2FA asks for one and reads it from the SMTP server. */
export async function emailedStepUp(app: TestApp, mail: MailServer, user: TestUser): Promise<string> {
  const before = mail.to(user.email).length;
  const res = await app.http().post('/api/two-factor/send').set(auth(user)).send({ method: 'email' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return mailedCode(mail, user.email, before + 1);
}

const withProof = (body: Record<string, unknown>, proof?: string) => (proof ? { ...body, code: proof } : body);

/**
 * Enables email 2FA: enable, read the code from the SMTP server, confirm. `proof`: a current code
 * of a factor the user already has (adding one needs it).
 */
export async function enrolEmail(app: TestApp, mail: MailServer, user: TestUser, proof?: string) {
  const before = mail.to(user.email).length;
  const enable = await app.http().post('/api/two-factor/enable').set(auth(user)).send(withProof({ method: 'email' }, proof));
  expect(enable.status, JSON.stringify(enable.body)).toBe(200);
  expect(enable.body).toEqual({ message: 'Sent verify code via email' });
  const code = await mailedCode(mail, user.email, before + 1);
  const confirm = await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'email', code });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  return { backupCodes: confirm.body.backupCodes as string[] | undefined, confirmation: confirm.body };
}

/** Enables SMS 2FA on `phone`: enable, read the code from the SMS server, confirm (`proof` as for enrolEmail). */
export async function enrolSms(app: TestApp, sms: SmsServer, user: TestUser, phone: string, proof?: string) {
  const before = sms.to(phone).length;
  const enable = await app.http().post('/api/two-factor/enable').set(auth(user)).send(withProof({ method: 'sms', phone }, proof));
  expect(enable.status, JSON.stringify(enable.body)).toBe(200);
  expect(enable.body).toEqual({ message: 'Sent verify code via SMS' });
  const code = await textedCode(sms, phone, before + 1);
  const confirm = await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'sms', code });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  return { backupCodes: confirm.body.backupCodes as string[] | undefined, confirmation: confirm.body };
}

/** A new user with SMS 2FA confirmed on a number of its own. */
export async function smsUser(app: TestApp, sms: SmsServer) {
  const user = await registerUser(app);
  const phone = newPhone();
  await enrolSms(app, sms, user, phone);
  return { user, phone };
}

export const send = (app: TestApp, body: Record<string, unknown>) => app.http().post('/api/two-factor/send').send(body);
export const verify = (app: TestApp, body: Record<string, unknown>) => app.http().post('/api/two-factor/verify').send(body);

let phoneCounter = 0;
/** A distinct E.164 number per call (US 555 range). */
export const newPhone = () => `+1415555${String(1000 + (phoneCounter++ % 9000)).padStart(4, '0')}`;

/** Runs `fn` with the plugin's `sms` configuration replaced (as an operator would redeploy it), then restores it. */
export async function withSmsConfig(app: TestApp, config: unknown, fn: () => Promise<void>) {
  const saved = app.strapi.config.get(`${CONFIG}.sms`);
  app.strapi.config.set(`${CONFIG}.sms`, config);
  try {
    await fn();
  } finally {
    app.strapi.config.set(`${CONFIG}.sms`, saved);
  }
}
