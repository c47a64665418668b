import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/strapi';
import { createUser, enrolTotp, login } from '../helpers/admin';
import { totpCode } from '../../server/src/core';
import { launch } from './browser';

/**
 * The sign-in example (examples/sign-in, `npm run example`) in chromium: a page on its own origin
 * that uses only the client (the package's ESM build), calling the host app on another origin
 * with CORS and credentials, as docs/client.md sets it up.
 */
const PASSWORD = 'UserPassw0rd!';

interface ExampleServer {
  url: string;
  close(): Promise<void>;
}
type StartExampleServer = (options: { port: number; strapiUrl: () => string }) => Promise<ExampleServer>;

let app: TestApp;
let browser: Browser;
let example: ExampleServer;
let strapiUrl = '';

beforeAll(async () => {
  const serverModule = pathToFileURL(path.resolve(__dirname, '../../examples/sign-in/server.mjs')).href;
  const { startExampleServer } = (await import(serverModule)) as { startExampleServer: StartExampleServer };
  // The page's origin first: the host app reads its CORS origins when it boots.
  example = await startExampleServer({ port: 0, strapiUrl: () => strapiUrl });
  app = await startApp({ CORS_ORIGINS: example.url });
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  strapiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings = app.strapi.plugin('two-factor').service('settings');
  await settings.update({ ...(await settings.get()), trustedDevices: { enabled: true, days: 30 } });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await example?.close();
});

/** A user with an authenticator app; `code(steps)` gives the code of a coming 30 s step. */
async function totpUser(name: string) {
  await createUser(app.strapi, { username: name, email: `${name}@example.com`, password: PASSWORD });
  const jwt = (await login(app.http, name, PASSWORD)).body.jwt as string;
  const { secret } = await enrolTotp(app.http, jwt);
  return { name, email: `${name}@example.com`, code: (steps: number) => totpCode(secret, { time: Date.now() / 1000 + steps * 30 }) };
}

/** The example's page in a browser context, with the page's script errors collected. */
async function openPage(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(example.url);
  return { page, errors };
}

async function enterPassword(page: Page, email: string) {
  await page.getByLabel('Email or username').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));

describe('the sign-in example, across origins', () => {
  it('TOTP sign-in: a wrong code is said so, the right one signs in; remembering the device skips the code next time', async () => {
    const user = await totpUser('example-ada');
    const context = await browser.newContext();
    const { page, errors } = await openPage(context);
    expect(new URL(example.url).origin).not.toBe(new URL(strapiUrl).origin);

    await enterPassword(page, user.email);
    await expect.poll(() => page.locator('#code-prompt').textContent()).toBe('Enter a code from: totp, backup_code');

    // A wrong code: the page tells it from the error's code, and the login is still pending.
    const wrong = ['000000', '111111', '222222'].find((code) => ![-1, 0, 1, 2].some((step) => user.code(step) === code))!;
    await page.getByLabel('Code', { exact: true }).fill(wrong);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('#message').textContent()).toBe('That code did not work. Check it and try again.');

    await page.getByLabel('Code', { exact: true }).fill(user.code(1));
    await page.getByLabel('Remember this device').check();
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.locator('#welcome').textContent()).toBe(`Signed in as ${user.name}`);
    expect(await page.locator('#notice').textContent()).toBe('This device is remembered: next time, your password is enough.');
    expect(await page.locator('#status').textContent()).toBe('Two-factor is on: totp');
    // The device cookie came across origins (credentials: 'include'), and goes back: the list marks this device.
    await expect.poll(() => page.locator('#devices li').allTextContents()).toEqual([expect.stringMatching(/ \(this device\)$/)]);
    const cookies = await context.cookies(`${strapiUrl}/api/auth/local`);
    expect(cookies.find((cookie) => cookie.name === 'strapi_two_factor_device')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    // Signed out and reloaded (the client's memory is gone): the password alone signs in, by the cookie.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await nextSecond();
    await page.reload();
    await enterPassword(page, user.email);
    await expect.poll(() => page.locator('#welcome').textContent()).toBe(`Signed in as ${user.name}`);
    expect(await page.locator('#code-form').isHidden()).toBe(true);

    // Another browser has no such cookie: it is asked for the code.
    const other = await browser.newContext();
    const second = await openPage(other);
    await enterPassword(second.page, user.email);
    await expect.poll(() => second.page.locator('#code-form').isVisible()).toBe(true);

    expect([...errors, ...second.errors]).toEqual([]);
    await other.close();
    await context.close();
  });

  it('a wrong password and a locked account are told from the error codes, with the minutes left', async () => {
    const user = await totpUser('example-bob');
    const context = await browser.newContext();
    const { page, errors } = await openPage(context);

    await page.getByLabel('Email or username').fill(user.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#message').textContent()).toBe('Wrong email or password.');

    await enterPassword(page, user.email);
    await expect.poll(() => page.locator('#code-form').isVisible()).toBe(true);
    const wrong = ['000000', '111111', '222222'].find((code) => ![-1, 0, 1].some((step) => user.code(step) === code))!;
    for (let i = 0; i < 11; i++) {
      await page.getByLabel('Code', { exact: true }).fill(wrong);
      await Promise.all([
        page.waitForResponse((response) => response.url().endsWith('/api/two-factor/verify')),
        page.getByRole('button', { name: 'Verify' }).click(),
      ]);
    }
    // retryAfter (Retry-After, which the CORS set-up exposes, or the details): the lock lasts 15 minutes.
    await expect.poll(() => page.locator('#message').textContent()).toBe('Too many wrong codes: locked, try again in 15 minutes.');
    expect(errors).toEqual([]);
    await context.close();
  });
});
