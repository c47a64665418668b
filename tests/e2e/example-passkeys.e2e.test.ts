import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/strapi';
import { PASSWORD, registerUser } from '../helpers/flows';
import { launch, screenshot } from './browser';

/**
 * Passkeys in the sign-in example (examples/sign-in, `npm run example`): the page, on its own
 * origin and using only the client with @simplewebauthn/browser bundled in, adds a passkey from
 * the account view, answers the second step with it, signs in with it alone, renames and removes
 * it; chromium's virtual platform authenticator (CDP, ctap2, internal, user verification) holds
 * the credential. Page and host app are on `localhost` (an RP ID is never an IP address), and the
 * plugin accepts the page's origin, as `npm run example` sets it up. Screenshots: example-passkey-*.png.
 */
interface ExampleServer {
  url: string;
  close(): Promise<void>;
}
type StartExampleServer = (options: {
  port: number;
  host: string;
  strapiUrl: () => string;
  passkeys: boolean | 'passwordless';
}) => Promise<ExampleServer>;

let app: TestApp;
let browser: Browser;
let example: ExampleServer;
let strapiUrl = '';
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const serverModule = pathToFileURL(path.resolve(__dirname, '../../examples/sign-in/server.mjs')).href;
  const { startExampleServer } = (await import(serverModule)) as { startExampleServer: StartExampleServer };
  // The page's origin first: the host app reads its CORS and passkey origins when it boots.
  example = await startExampleServer({ port: 0, host: 'localhost', strapiUrl: () => strapiUrl, passkeys: 'passwordless' });
  expect(new URL(example.url).hostname).toBe('localhost');
  app = await startApp({ CORS_ORIGINS: example.url, TWO_FACTOR_PASSKEY_RP_ID: 'localhost', TWO_FACTOR_PASSKEY_ORIGINS: example.url });
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  strapiUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  const settings = app.strapi.plugin('two-factor').service('settings');
  const current = await settings.get();
  await settings.update({ ...current, methods: { ...current.methods, passkey: true }, passkeys: { ...current.passkeys, passwordless: true } });
  browser = await launch();
});
afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  await browser?.close();
  await app?.stop();
  await example?.close();
});

/** The example's page in a new browser (context) with an empty platform authenticator, and the page's script errors. */
async function openPage(): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 640, height: 1300 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  await page.goto(example.url);
  return { page, cdp, authenticatorId, errors };
}

const text = (page: Page, selector: string) => () => page.locator(selector).textContent();
const visible = (page: Page, selector: string) => () => page.locator(selector).isVisible();
/** Each passkey of the list: its name, then when it was added and last used. */
const passkeyLines = (page: Page) => () => page.locator('#passkeys .passkey').allInnerTexts();

async function enterPassword(page: Page, email: string) {
  await page.getByLabel('Email or username').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect.poll(visible(page, '#password-form')).toBe(true);
  // Nothing of the account is left to be mistaken for the next sign-in.
  expect(await text(page, '#welcome')()).toBe('');
}

describe('passkeys in the sign-in example (virtual platform authenticator)', () => {
  it('adds a passkey from the account view, answers the second step with it, signs in with it alone, renames and removes it', async () => {
    const user = await registerUser(app, 'expk');
    const { page, cdp, authenticatorId, errors } = await openPage();
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).toBe(true);
    await screenshot(page, 'example-passkey-sign-in');

    await enterPassword(page, user.email);
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    await expect.poll(visible(page, '#passkeys-panel')).toBe(true);
    await expect.poll(text(page, '#passkeys')).toMatch(/^No passkey yet\./);

    // The first passkey is the account's first factor: the ceremony runs in the browser, the
    // authenticator keeps a discoverable credential for localhost, and the backup codes come once.
    await page.getByLabel('Name of the new passkey').fill('Work laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(text(page, '#notice')).toBe('Passkey Work laptop added: use it at your next sign-in.');
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Passkey; 10 backup codes left');
    expect(await page.locator('#backup-codes .codes span').count()).toBe(10);
    await expect.poll(passkeyLines(page)).toEqual([expect.stringMatching(/^Work laptop\nAdded .+ · not used yet$/)]);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    await screenshot(page, 'example-passkey-added');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await signOut(page);

    // The password, then "Use a passkey": the browser answers the challenge with the credential.
    await enterPassword(page, user.email);
    await expect.poll(visible(page, '#code-form')).toBe(true);
    expect(await text(page, '#code-prompt')()).toBe('Use your passkey, or a code from: Backup code');
    expect(await page.getByRole('button', { name: 'Use a passkey' }).isVisible()).toBe(true);
    await screenshot(page, 'example-passkey-second-step');
    const signCount = credentials[0].signCount;
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    expect(await text(page, '#message')()).toBe('');
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0].signCount).toBeGreaterThan(signCount);
    await expect.poll(passkeyLines(page)).toEqual([expect.stringMatching(/^Work laptop\nAdded .+ · last used .+$/)]);
    await signOut(page);

    // Passwordless: no identifier, no password; the discoverable credential names the user.
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(text(page, '#welcome')).toBe(`Signed in as ${user.username}`);
    expect(await page.getByLabel('Email or username').inputValue()).toBe('');

    // Renamed in place.
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name of Work laptop').fill('Home laptop');
    await screenshot(page, 'example-passkey-rename');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(text(page, '#notice')).toBe('The passkey is now called Home laptop.');
    await expect.poll(passkeyLines(page)).toEqual([expect.stringMatching(/^Home laptop\nAdded /)]);
    await screenshot(page, 'example-passkeys');

    // Removed within the fresh session the passkey itself opened: no code asked; the last factor
    // gone, two-factor is off, and the password alone signs in again.
    await page.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(text(page, '#notice')).toBe('Home laptop is removed: it no longer signs you in.');
    expect(await page.locator('#passkey-remove-form').isHidden()).toBe(true);
    await expect.poll(text(page, '#status')).toBe('Two-factor is off');
    await expect.poll(text(page, '#passkeys')).toMatch(/^No passkey yet\./);
    expect((await app.http().post('/api/auth/local').send({ identifier: user.email, password: PASSWORD })).body.jwt).toEqual(expect.any(String));

    // The authenticator still holds the credential; the plugin no longer knows it.
    await signOut(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(text(page, '#message')).toBe('That passkey is not known here (it may have been removed). Sign in with your password.');
    expect(await page.locator('#password-form').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('outside a fresh session, adding and removing a passkey ask for a current code (backup codes answer)', async () => {
    const user = await registerUser(app, 'expkold');
    const { page, cdp, authenticatorId, errors } = await openPage();
    await enterPassword(page, user.email);
    await expect.poll(text(page, '#passkeys')).toMatch(/^No passkey yet\./);
    await page.getByLabel('Name of the new passkey').fill('Phone');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Passkey; 10 backup codes left');
    const backupCodes = await page.locator('#backup-codes .codes span').allTextContents();
    expect(backupCodes).toHaveLength(10);
    await page.getByRole('button', { name: 'I have saved them' }).click();

    // A second passkey (another device: this authenticator forgets the first, which the server
    // would otherwise exclude). This session began before the account had a factor: a step-up.
    await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    await page.getByLabel('Name of the new passkey').fill('Tablet');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(text(page, '#message')).toBe('To add a passkey, confirm it is you: enter one of your backup codes.');
    expect(await page.getByLabel('Code to confirm it is you').isVisible()).toBe(true);
    expect(await passkeyLines(page)()).toEqual([expect.stringMatching(/^Phone\n/)]);
    await page.getByLabel('Code to confirm it is you').fill(backupCodes[0]);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(text(page, '#notice')).toBe('Passkey Tablet added: use it at your next sign-in.');
    await expect.poll(passkeyLines(page)).toEqual([expect.stringMatching(/^Phone\n/), expect.stringMatching(/^Tablet\n/)]);
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Passkey; 9 backup codes left');
    expect(await page.getByLabel('Code to confirm it is you').isHidden()).toBe(true);

    // Removing one is a step-up too: the add form gives way to the code.
    await page.getByRole('button', { name: 'Remove' }).first().click();
    await expect.poll(visible(page, '#passkey-remove-form')).toBe(true);
    await expect.poll(text(page, '#passkey-remove-prompt')).toBe('To remove Phone, confirm it is you: enter one of your backup codes.');
    expect(await page.locator('#passkey-form').isHidden()).toBe(true);
    await page.getByLabel('Code to remove it').fill(backupCodes[1]);
    await screenshot(page, 'example-passkey-remove-step-up');
    // A used backup code does not answer twice.
    await page.getByLabel('Code to remove it').fill(backupCodes[0]);
    await page.getByRole('button', { name: 'Remove the passkey' }).click();
    await expect.poll(text(page, '#message')).toBe('That code did not work. Check it and try again.');
    expect(await passkeyLines(page)()).toHaveLength(2);
    await page.getByLabel('Code to remove it').fill(backupCodes[1]);
    await page.getByRole('button', { name: 'Remove the passkey' }).click();
    await expect.poll(text(page, '#notice')).toBe('Phone is removed: it no longer signs you in.');
    await expect.poll(passkeyLines(page)).toEqual([expect.stringMatching(/^Tablet\n/)]);
    await expect.poll(text(page, '#status')).toBe('Two-factor is on: Passkey; 8 backup codes left');
    expect(await page.locator('#passkey-form').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('another browser without the passkey: the second step and the passwordless sign-in fail with a message on the page', async () => {
    const user = await registerUser(app, 'expklost');
    const laptop = await openPage();
    await enterPassword(laptop.page, user.email);
    await expect.poll(text(laptop.page, '#passkeys')).toMatch(/^No passkey yet\./);
    await laptop.page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(text(laptop.page, '#status')).toBe('Two-factor is on: Passkey; 10 backup codes left');

    // A second browser, its authenticator empty: the ceremony finds no credential.
    const other = await openPage();
    await enterPassword(other.page, user.email);
    await expect.poll(visible(other.page, '#code-form')).toBe(true);
    await other.page.getByRole('button', { name: 'Use a passkey' }).click();
    await expect
      .poll(text(other.page, '#message'), { timeout: 90_000 })
      .toBe('No passkey was used: this browser has none for this site, or the request was cancelled.');
    // Still at the second step: a backup code can finish it.
    expect(await other.page.locator('#code-form').isVisible()).toBe(true);
    await screenshot(other.page, 'example-passkey-none');

    await other.page.reload();
    await other.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect
      .poll(text(other.page, '#message'), { timeout: 90_000 })
      .toBe('No passkey was used: this browser has none for this site, or the request was cancelled.');
    expect(await other.page.locator('#password-form').isVisible()).toBe(true);
    expect(await other.page.locator('#signed-in').isHidden()).toBe(true);
    expect([...laptop.errors, ...other.errors]).toEqual([]);
  });
});
