import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startDeliveryApp, type DeliveryApp } from '../helpers/delivery-app';
import { PASSWORD, awayFromStepEnd, codeAt, enrolTotp, registerUser } from '../helpers/flows';
import { enrolEmail, mailedCode, setSendLimits, smsUser, textedCode } from '../helpers/otp-flows';
import { totpCode } from '../../server/src/core';
import { launch, screenshot } from './browser';

/**
 * The sign-in example (examples/sign-in, `npm run example`) in chromium: a page on its own origin
 * that uses only the client (the package's ESM build), calling the host app on another origin
 * with CORS and credentials, as docs/client.md sets it up. Email goes to a local SMTP server and
 * SMS to a local webhook sink, so every method runs end to end. Each step is screenshotted into
 * tests/e2e/screenshots (example-*.png; the README shows them from docs/frontend).
 */
interface ExampleServer {
  url: string;
  close(): Promise<void>;
}
type StartExampleServer = (options: { port: number; strapiUrl: () => string }) => Promise<ExampleServer>;

let delivery: DeliveryApp;
let browser: Browser;
let example: ExampleServer;
let strapiUrl = '';
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const serverModule = pathToFileURL(path.resolve(__dirname, '../../examples/sign-in/server.mjs')).href;
  const { startExampleServer } = (await import(serverModule)) as { startExampleServer: StartExampleServer };
  // The page's origin first: the host app reads its CORS origins when it boots.
  example = await startExampleServer({ port: 0, strapiUrl: () => strapiUrl });
  delivery = await startDeliveryApp({ env: { CORS_ORIGINS: example.url } });
  const { app } = delivery;
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  strapiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setSendLimits(app);
  const settings = app.strapi.plugin('two-factor').service('settings');
  await settings.update({ ...(await settings.get()), trustedDevices: { enabled: true, days: 30 } });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await delivery?.stop();
  await example?.close();
});

/** A registered user with an authenticator app; `code(steps)` gives the code of a coming 30 s step. */
async function totpUser(prefix: string) {
  const user = await registerUser(delivery.app, prefix);
  const { secret, backupCodes } = await enrolTotp(delivery.app, user);
  return { ...user, backupCodes, code: (steps: number) => codeAt(secret, steps) };
}

/** A code none of the user's coming steps has. */
const wrongCode = (user: { code(steps: number): string }) =>
  ['000000', '111111', '222222'].find((code) => ![-1, 0, 1, 2].some((step) => user.code(step) === code))!;

/** The example's page in a new browser (context), with the page's script errors collected. */
async function openPage(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 640, height: 1000 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(example.url);
  return { context, page, errors };
}
afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
});

const text = (page: Page, selector: string) => () => page.locator(selector).textContent();
const visible = (page: Page, selector: string) => () => page.locator(selector).isVisible();

async function enterPassword(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel('Email or username').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel('Code', { exact: true }).fill(code);
  await Promise.all([
    page.waitForResponse((response) => response.url().endsWith('/api/two-factor/verify')),
    page.getByRole('button', { name: 'Verify' }).click(),
  ]);
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect.poll(visible(page, '#password-form')).toBe(true);
}

const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));

describe('the sign-in example, across origins', () => {
  it('enrols an authenticator app (QR code, manual key, backup codes shown once), then turns it off with a current code', async () => {
    const user = await registerUser(delivery.app, 'exenrol');
    const { page, errors } = await openPage();
    expect(new URL(example.url).origin).not.toBe(new URL(strapiUrl).origin);

    await enterPassword(page, user.email);
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    await expect.poll(text(page, '#status')).toBe('Two-factor is off');
    await screenshot(page, 'example-signed-in');

    await page.getByRole('button', { name: 'Turn on an authenticator app' }).click();
    await expect.poll(visible(page, '#enrol-form')).toBe(true);
    const secret = (await page.locator('#secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page.locator('#enrol-form img').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    expect(await page.locator('#enrol-form img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await screenshot(page, 'example-enrol-qr');

    await awayFromStepEnd();
    await page.getByLabel('Code from the app').fill(totpCode(secret, { time: Date.now() / 1000 - 30 }));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(visible(page, '#backup-codes')).toBe(true);
    const backupCodes = await page.locator('#backup-codes .codes span').allTextContents();
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Authenticator app; 10 backup codes left');
    expect(await page.locator('#enrol-form').isHidden()).toBe(true);
    await screenshot(page, 'example-backup-codes');
    // Shown once: dismissed, the page keeps no copy.
    await page.getByRole('button', { name: 'I have saved them' }).click();
    expect(await page.locator('#backup-codes .codes span').count()).toBe(0);

    // This session began before two-factor was on, so it is not fresh: turning it off asks for a current code.
    await page.getByRole('button', { name: 'Turn off two-factor' }).click();
    await expect.poll(visible(page, '#disable-form')).toBe(true);
    await page.getByLabel('Current code').fill(totpCode(secret, { time: Date.now() / 1000 + 30 }));
    await screenshot(page, 'example-disable-step-up');
    await page.getByLabel('Current code').fill(wrongCode({ code: (steps) => totpCode(secret, { time: Date.now() / 1000 + steps * 30 }) }));
    await page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await expect.poll(text(page, '#message')).toBe('That code did not work. Check it and try again.');
    await page.getByLabel('Current code').fill(totpCode(secret, { time: Date.now() / 1000 + 30 }));
    await page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await expect.poll(text(page, '#status')).toBe('Two-factor is off');
    await expect.poll(text(page, '#notice')).toBe('Two-factor is off.');
    expect((await delivery.app.http().post('/api/auth/local').send({ identifier: user.email, password: PASSWORD })).body.jwt).toEqual(expect.any(String));
    expect(errors).toEqual([]);
  });

  it('TOTP: a wrong code is said so, the right one signs in; a remembered device skips the code, and forgotten from the list it is asked again', async () => {
    const user = await totpUser('exada');
    const { context, page, errors } = await openPage();

    await page.getByLabel('Email or username').fill(user.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshot(page, 'example-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(text(page, '#code-prompt')).toBe('Enter a code from: Authenticator app, Backup code');
    expect(await page.locator('#send-code').isHidden()).toBe(true);

    // A wrong code: the page tells it from the error's code, and the login is still pending.
    await enterCode(page, wrongCode(user));
    await expect.poll(text(page, '#message')).toBe('That code did not work. Check it and try again.');
    await screenshot(page, 'example-wrong-code');

    await page.getByLabel('Code', { exact: true }).fill(user.code(1));
    await page.getByLabel('Remember this device').check();
    await screenshot(page, 'example-totp');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    await expect.poll(text(page, '#notice')).toBe('This device is remembered: next time, your password is enough.');
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Authenticator app; 10 backup codes left');
    // The device cookie came across origins (credentials: 'include'), and goes back: the list marks this device.
    await expect.poll(() => page.locator('#devices li span').allTextContents()).toEqual([expect.stringMatching(/ \(this device\)$/)]);
    const cookies = await context.cookies(`${strapiUrl}/api/auth/local`);
    expect(cookies.find((cookie) => cookie.name === 'strapi_two_factor_device')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // Signed out and reloaded (the client's memory is gone): the password alone signs in, by the cookie.
    await signOut(page);
    await nextSecond();
    await page.reload();
    await enterPassword(page, user.email);
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    expect(await page.locator('#code-form').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#devices li span').allTextContents()).toEqual([expect.stringMatching(/ \(this device\)$/)]);
    await screenshot(page, 'example-devices');

    // Another browser has no such cookie: it is asked for the code.
    const second = await openPage();
    await enterPassword(second.page, user.email);
    await expect.poll(visible(second.page, '#code-form')).toBe(true);

    // Forgotten from the list: this browser is asked for a code again.
    await page.getByRole('button', { name: 'Forget' }).click();
    await expect.poll(text(page, '#notice')).toMatch(/ is forgotten: it will be asked for a code again\.$/);
    await expect.poll(text(page, '#devices')).toBe('No remembered device. Tick "Remember this device" when you sign in.');
    await screenshot(page, 'example-device-forgotten');
    await signOut(page);
    await page.reload();
    await enterPassword(page, user.email);
    await expect.poll(visible(page, '#code-form')).toBe(true);

    expect([...errors, ...second.errors]).toEqual([]);
  });

  it('email: the page asks for a code, the SMTP server receives it, and it signs in', async () => {
    const user = await registerUser(delivery.app, 'exmail');
    await enrolEmail(delivery.app, delivery.mail, user);
    const { page, errors } = await openPage();

    await enterPassword(page, user.email);
    await expect.poll(text(page, '#code-prompt')).toBe('Enter a code from: Email, Backup code');
    const before = delivery.mail.to(user.email).length;
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect.poll(text(page, '#notice')).toBe('We emailed you a code.');
    const code = await mailedCode(delivery.mail, user.email, before + 1);
    await page.getByLabel('Code', { exact: true }).fill(code);
    await screenshot(page, 'example-email');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Email; 10 backup codes left');
    expect(errors).toEqual([]);
  });

  it('SMS: the page asks for a text, the webhook sink receives it, and it signs in', async () => {
    const { user, phone } = await smsUser(delivery.app, delivery.sms);
    const { page, errors } = await openPage();

    await enterPassword(page, user.email);
    await expect.poll(text(page, '#code-prompt')).toBe('Enter a code from: Text message, Backup code');
    const before = delivery.sms.to(phone).length;
    await page.getByRole('button', { name: 'Text me a code' }).click();
    await expect.poll(text(page, '#notice')).toBe('We texted you a code.');
    const code = await textedCode(delivery.sms, phone, before + 1);
    await page.getByLabel('Code', { exact: true }).fill(code);
    await screenshot(page, 'example-sms');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Text message; 10 backup codes left');
    expect(errors).toEqual([]);
  });

  it('a backup code signs in once: one fewer is left, and it does not sign in again', async () => {
    const user = await totpUser('exbackup');
    const { page, errors } = await openPage();

    await enterPassword(page, user.email);
    await expect.poll(visible(page, '#code-form')).toBe(true);
    await page.getByLabel('Method').selectOption('backup_code');
    await page.getByLabel('Code', { exact: true }).fill(user.backupCodes[0]);
    await screenshot(page, 'example-backup-code');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Authenticator app; 9 backup codes left');

    await signOut(page);
    await enterPassword(page, user.email);
    await expect.poll(visible(page, '#code-form')).toBe(true);
    await page.getByLabel('Method').selectOption('backup_code');
    await enterCode(page, user.backupCodes[0]);
    await expect.poll(text(page, '#message')).toBe('That code did not work. Check it and try again.');
    expect(errors).toEqual([]);
  });

  it('a wrong password and a locked account are told from the error codes, with the minutes left counted down', async () => {
    const user = await totpUser('exbob');
    const { page, errors } = await openPage();

    await enterPassword(page, user.email, 'not-the-password');
    await expect.poll(text(page, '#message')).toBe('Wrong email or password.');

    await enterPassword(page, user.email);
    await expect.poll(visible(page, '#code-form')).toBe(true);
    const wrong = wrongCode(user);
    for (let i = 0; i < 11 && (await page.getByRole('button', { name: 'Verify' }).isEnabled()); i++) await enterCode(page, wrong);
    // retryAfter (Retry-After, which the CORS set-up exposes, or the details): the lock lasts 15 minutes.
    await expect.poll(text(page, '#message')).toBe('Too many wrong codes: locked, try again in 15 minutes.');
    expect(await page.getByRole('button', { name: 'Verify' }).isDisabled()).toBe(true);
    await screenshot(page, 'example-locked');
    // The countdown goes on from the page's clock: a minute on, it says 14.
    await page.evaluate(() => {
      const now = Date.now.bind(Date);
      Date.now = () => now() + 61_000;
    });
    await expect.poll(text(page, '#message')).toBe('Too many wrong codes: locked, try again in 14 minutes.');
    expect(errors).toEqual([]);
  });

  it('a pending login that expired sends the page back to the password', async () => {
    const TTL = 'plugin::two-factor.pendingTokenTtl';
    const user = await totpUser('exlate');
    const { page, errors } = await openPage();
    const saved = delivery.app.strapi.config.get(TTL);
    delivery.app.strapi.config.set(TTL, 1);
    try {
      await enterPassword(page, user.email);
      await expect.poll(visible(page, '#code-form')).toBe(true);
    } finally {
      delivery.app.strapi.config.set(TTL, saved);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await enterCode(page, user.code(1));
    await expect.poll(text(page, '#message')).toBe('The sign-in took too long. Enter your password again.');
    expect(await page.locator('#password-form').isVisible()).toBe(true);
    await screenshot(page, 'example-expired');
    expect(errors).toEqual([]);
  });
});
