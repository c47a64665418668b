import { describe, it, expect, afterAll, beforeEach } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import { awayFromStepEnd, codeAt, enrolTotp, pendingLogin, pluginService, registerUser, updateSettings, PASSWORD, type TestUser } from '../helpers/flows';
import type { MailServer, ReceivedMail } from '../helpers/mail-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { auth, enrolEmail, setSendLimits, verify } from '../helpers/otp-flows';
import { captureLogs } from '../helpers/logs';

/**
 * docs/security.md L3: the user hears by email of every security change to their account — 2FA on,
 * off, a method added or removed, an admin reset, backup codes regenerated or one used, a
 * lockout — once it is committed, with when and from where, and never with a code or secret.
 */
let app: TestApp;
let mail: MailServer;
let logs: ReturnType<typeof captureLogs>;

const CONFIG = 'plugin::two-factor.notifications';
const AGENT = 'NoticeTest/1.0 <script>alert(1)</script>';

useDeliveryApp({ sms: 'none' }, (delivery) => {
  ({ app, mail } = delivery);
  app.logs.allow(/two-factor: could not send the [\w.]+ notice/); // asserted by 'a mail server that refuses'
  logs = captureLogs(app.strapi);
});
afterAll(() => logs?.stop());
beforeEach(async () => {
  setSendLimits(app);
  app.strapi.config.set(`${CONFIG}.events`, {});
  app.strapi.config.set(`${CONFIG}.templates`, {});
  app.strapi.config.set(`${CONFIG}.enabled`, true);
  await updateSettings(app, { maxFailures: 5, lockDuration: 600 });
});

const post = (path: string, user: TestUser, body: object) =>
  app.http().post(path).set(auth(user)).set('User-Agent', AGENT).send(body);

/** The one notice of `event` the user got; waits for it, and fails on a second. */
async function noticeOf(user: TestUser, event: string): Promise<ReceivedMail> {
  const [notice] = await mail.waitForNotices(user.email, { event });
  expect(mail.notices(user.email, event)).toHaveLength(1);
  return notice;
}

/** Nothing in a notice may let its reader act as the user: no code, secret or token. */
function expectNothingSecret(notice: ReceivedMail, secrets: string[]) {
  for (const secret of secrets) {
    expect(notice.raw).not.toContain(secret);
  }
  expect(notice.text).not.toMatch(/\b\d{6}\b/);
}

describe('each security change mails the user once (L3)', () => {
  it('2FA turned on: when, with what, from where — and not the secret or the backup codes', async () => {
    const user = await registerUser(app, 'on');
    const enable = await post('/api/two-factor/enable', user, { method: 'totp' });
    const secret = enable.body.secret as string;
    await awayFromStepEnd();
    const confirm = await post('/api/two-factor/confirm', user, { method: 'totp', code: codeAt(secret, -1) });
    expect(confirm.status).toBe(200);

    const notice = await noticeOf(user, 'enabled');
    expect(notice.subject).toBe('Two-factor authentication is on for your Strapi account');
    expect(notice.text).toContain(`Hello ${user.username},`);
    expect(notice.text).toContain('with: authenticator app');
    expect(notice.text).toMatch(/on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(notice.text).toMatch(/Request: IP (::ffff:)?127\.0\.0\.1, NoticeTest\/1\.0/);
    // The user agent is the sender's to choose: in the HTML part it is text, not markup.
    expect(notice.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(notice.html).not.toContain('<script>');
    expectNothingSecret(notice, [secret, ...confirm.body.backupCodes]);
    // Only the one notice for the first factor: "enabled", not also "method added".
    expect(mail.notices(user.email).map((m) => m.notice)).toEqual(['enabled']);
  });

  it('a second method added, then removed', async () => {
    const user = await registerUser(app, 'methods');
    const { secret } = await enrolTotp(app, user);
    await enrolEmail(app, mail, user, codeAt(secret, 0));
    const added = await noticeOf(user, 'method.added');
    expect(added.text).toContain('A new two-factor method was added to your Strapi account');
    expect(added.text).toContain(': email codes.');

    const removed = await post('/api/two-factor/disable', user, { method: 'email', code: codeAt(secret, 1) });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    const notice = await noticeOf(user, 'method.removed');
    expect(notice.text).toContain('removed from your Strapi account');
    expect(notice.text).toContain('email codes');
    expect(mail.notices(user.email, 'disabled')).toHaveLength(0);
  });

  it('backup codes regenerated: the notice carries none of the new codes', async () => {
    const user = await registerUser(app, 'regen');
    const { secret } = await enrolTotp(app, user);
    const res = await post('/api/two-factor/backup-codes', user, { code: codeAt(secret, 1) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const notice = await noticeOf(user, 'backup_codes.regenerated');
    expect(notice.subject).toBe('New backup codes for your Strapi account');
    expectNothingSecret(notice, [secret, ...res.body.backupCodes]);
  });

  it('a backup code used at login: how many are left, not the code', async () => {
    const user = await registerUser(app, 'used');
    const { secret, backupCodes } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    const res = await verify(app, { mfaToken, code: backupCodes[0] });
    expect(res.status).toBe(200);
    const notice = await noticeOf(user, 'backup_code.used');
    expect(notice.subject).toBe('A backup code was used to sign in to your Strapi account');
    expect(notice.text).toContain(`Backup codes left: ${backupCodes.length - 1}.`);
    expectNothingSecret(notice, [secret, ...backupCodes, mfaToken, res.body.jwt]);
  });

  it('lockout: one notice when the lock falls, none for the attempts it refuses', async () => {
    const user = await registerUser(app, 'lock');
    const { secret } = await enrolTotp(app, user);
    const mfaToken = await pendingLogin(app, user);
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push((await verify(app, { mfaToken, code: '000000' })).status);
    expect(answers).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    const notice = await noticeOf(user, 'lockout');
    expect(notice.subject).toBe('Two-factor sign-in to your Strapi account is locked');
    expect(notice.text).toContain('locked for 10 minutes');
    expect(notice.text).toContain('Whoever tried knew your password');
    expectNothingSecret(notice, [secret, mfaToken]);
    // Wrong codes are not notices of their own.
    expect(mail.notices(user.email).map((m) => m.notice)).toEqual(['enabled', 'lockout']);
  });

  it('2FA turned off', async () => {
    const user = await registerUser(app, 'off');
    const { secret } = await enrolTotp(app, user);
    const res = await post('/api/two-factor/disable', user, { code: codeAt(secret, 1) });
    expect(res.status).toBe(200);
    const notice = await noticeOf(user, 'disabled');
    expect(notice.text).toContain('Two-factor authentication was turned off for your Strapi account');
    expectNothingSecret(notice, [secret]);
  });

  it('a device remembered: the notice names the time and the request, not the device token', async () => {
    await updateSettings(app, { trustedDevices: { enabled: true, days: 30 } });
    try {
      const user = await registerUser(app, 'device');
      const { secret } = await enrolTotp(app, user);
      const res = await app
        .http()
        .post('/api/two-factor/verify')
        .set('User-Agent', AGENT)
        .send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret, 1), trustDevice: true });
      expect(res.body.deviceToken).toEqual(expect.any(String));
      const notice = await noticeOf(user, 'device.trusted');
      expect(notice.subject).toBe('A device was remembered for your Strapi account');
      expect(notice.text).toContain('its sign-ins need only your password');
      expect(notice.text).toContain('NoticeTest/1.0');
      expectNothingSecret(notice, [secret, res.body.deviceToken, res.body.jwt]);
      // A login through it is not a security change: no notice.
      const again = await app.http().post('/api/auth/local').set('X-Two-Factor-Device', res.body.deviceToken).send({ identifier: user.email, password: PASSWORD });
      expect(again.body.jwt).toEqual(expect.any(String));
      expect(mail.notices(user.email).map((m) => m.notice)).toEqual(['enabled', 'device.trusted']);
    } finally {
      await updateSettings(app, { trustedDevices: { enabled: false, days: 30 } });
    }
  });

  it('nothing is mailed for a change that did not happen', async () => {
    const user = await registerUser(app, 'refused');
    const { secret } = await enrolTotp(app, user);
    // A wrong step-up code: 2FA stays on, no codes are made.
    expect((await post('/api/two-factor/disable', user, { code: '000000' })).status).toBe(400);
    expect((await post('/api/two-factor/backup-codes', user, { code: '000000' })).status).toBe(400);
    // A later change that does happen is the next notice after "enabled".
    expect((await post('/api/two-factor/disable', user, { code: codeAt(secret, 1) })).status).toBe(200);
    await noticeOf(user, 'disabled');
    expect(mail.notices(user.email).map((m) => m.notice)).toEqual(['enabled', 'disabled']);
  });
});

describe('exactly once under concurrency', () => {
  it('ten parallel logins with one backup code: one JWT, one notice', async () => {
    const user = await registerUser(app, 'race');
    const { backupCodes } = await enrolTotp(app, user);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => pendingLogin(app, user)));
    const answers = await Promise.all(tokens.map((mfaToken) => verify(app, { mfaToken, code: backupCodes[0] })));
    expect(answers.filter((res) => res.status === 200)).toHaveLength(1);
    const notice = await noticeOf(user, 'backup_code.used');
    expect(notice.text).toContain(`Backup codes left: ${backupCodes.length - 1}.`);
    // Give a stray second notice time to arrive before the count is taken again.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mail.notices(user.email, 'backup_code.used')).toHaveLength(1);
  });
});

describe('after the commit, never before, never for a rollback', () => {
  it('a notice asked for inside a transaction waits for its commit', async () => {
    const user = await registerUser(app, 'commit');
    const notifications = pluginService(app, 'notifications');
    await app.strapi.db.transaction(async () => {
      await notifications.notify('backup_codes.regenerated', { userId: user.id });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(mail.notices(user.email)).toHaveLength(0);
    });
    await noticeOf(user, 'backup_codes.regenerated');
  });

  it('a rolled-back transaction sends nothing', async () => {
    const user = await registerUser(app, 'rollback');
    const notifications = pluginService(app, 'notifications');
    await expect(
      app.strapi.db.transaction(async () => {
        await notifications.notify('disabled', { userId: user.id });
        // Time enough for a mail sent at once to arrive.
        await new Promise((resolve) => setTimeout(resolve, 400));
        throw new Error('rolled back on purpose');
      })
    ).rejects.toThrow('rolled back on purpose');
    await notifications.notify('lockout', { userId: user.id });
    await noticeOf(user, 'lockout');
    expect(mail.notices(user.email, 'disabled')).toHaveLength(0);
  });
});

describe('a mail server that refuses', () => {
  it('costs a log line, not the request', async () => {
    const user = await registerUser(app, 'down');
    const { secret } = await enrolTotp(app, user);
    await noticeOf(user, 'enabled');
    mail.refuse({ code: 451, message: 'Try again later' });
    const res = await post('/api/two-factor/backup-codes', user, { code: codeAt(secret, 1) });
    expect(res.status).toBe(200);
    expect(res.body.backupCodes).toHaveLength(10);
    await expect.poll(() => logs.text(), { timeout: 5000 }).toMatch(
      new RegExp(`two-factor: could not send the backup_codes.regenerated notice to user ${user.id}: .*451`)
    );
    for (const code of res.body.backupCodes) expect(logs.text()).not.toContain(code);
  });
});

describe('operator configuration', () => {
  it('turns an event off, or all of them', async () => {
    const user = await registerUser(app, 'quiet');
    app.strapi.config.set(`${CONFIG}.events`, { enabled: false });
    const { secret, backupCodes } = await enrolTotp(app, user);
    app.strapi.config.set(`${CONFIG}.enabled`, false);
    expect((await verify(app, { mfaToken: await pendingLogin(app, user), code: backupCodes[0] })).status).toBe(200);
    app.strapi.config.set(`${CONFIG}.enabled`, true);
    // The next notice that is on arrives alone: the two before it were never sent.
    expect((await post('/api/two-factor/disable', user, { code: codeAt(secret, 1) })).status).toBe(200);
    await noticeOf(user, 'disabled');
    expect(mail.notices(user.email).map((m) => m.notice)).toEqual(['disabled']);
  });

  it("takes the operator's own subject and text, values filled in and escaped", async () => {
    app.strapi.config.set(`${CONFIG}.templates`, {
      enabled: { subject: '[<%= appName %>] 2FA on for <%= username %>', text: 'On: <%= method %> & <%= origin %>' },
    });
    app.strapi.config.set('plugin::two-factor.appName', 'Acme & Co');
    try {
      const user = await registerUser(app, 'custom');
      const enable = await post('/api/two-factor/enable', user, { method: 'totp' });
      await awayFromStepEnd();
      expect((await post('/api/two-factor/confirm', user, { method: 'totp', code: codeAt(enable.body.secret, -1) })).status).toBe(200);
      const notice = await noticeOf(user, 'enabled');
      expect(notice.subject).toBe(`[Acme & Co] 2FA on for ${user.username}`);
      expect(notice.text).toMatch(/^On: authenticator app & IP .*NoticeTest\/1\.0 <script>/);
      expect(notice.html).toMatch(/^<p>On: authenticator app &amp; IP .*&lt;script&gt;/);
    } finally {
      app.strapi.config.set('plugin::two-factor.appName', undefined);
    }
  });
});

describe('admin reset', () => {
  it('tells the user an administrator did it, without the admin request\'s address', async () => {
    const user = await registerUser(app, 'reset');
    await enrolTotp(app, user);
    await pluginService(app, 'adminUsers').reset(user.id, { id: 1 }, { ip: '10.9.8.7', userAgent: 'AdminBrowser' });
    const notice = await noticeOf(user, 'admin.reset');
    expect(notice.subject).toBe('Your two-factor authentication was reset');
    expect(notice.text).toContain('An administrator of Strapi reset the two-factor authentication of your account');
    expect(notice.raw).not.toContain('10.9.8.7');
    expect(notice.raw).not.toContain('AdminBrowser');
  });
});
