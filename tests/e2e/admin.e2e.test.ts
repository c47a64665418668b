import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { APP_DIR, startApp, type TestApp } from '../helpers/strapi';
import { adminToken, createAdmin, createUser, enrolTotp, ensureRole, login } from '../helpers/admin';
import { launch, screenshot, signIn } from './browser';

/**
 * The operator's side in a real browser (issue 5): headless Debian chromium drives the host
 * app's built admin panel, and the content API is asked what the change did.
 */
const SUPER = { email: 'operator@example.com', password: 'OperatorPassw0rd!' };
const EDITOR = { email: 'editor@example.com', password: 'EditorPassw0rd!' };
const PASSWORD = 'UserPassw0rd!';
const SETTINGS = '/admin/settings/users-permissions/two-factor';
const USERS = '/admin/settings/users-permissions/two-factor-users';
const EVENTS = '/admin/settings/users-permissions/two-factor-events';

let app: TestApp;
let smtp: SMTPServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let base: string;
let token: string;
const mails: string[] = [];
/** What the admin panel wrote to the browser console: React and Strapi warnings land here. */
const consoleMessages: string[] = [];
const LONG_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86 SomeCorporateProxy/4.2 (+https://proxy.example.com/about-this-very-long-agent)';

const api = (p: string) => app.http().get(p).set('Authorization', `Bearer ${token}`);

beforeAll(async () => {
  if (!fs.existsSync(path.join(APP_DIR, 'build', 'index.html'))) {
    throw new Error('The host app admin is not built: run `npm run build && npm run build:host-admin` (npm run test:e2e does both)');
  }
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        mails.push(...session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  // No SMS provider: the settings page must show SMS greyed out.
  app = await startApp(
    {
      ADMIN_EMAIL: SUPER.email,
      ADMIN_PASSWORD: SUPER.password,
      SMS_PROVIDER: 'none',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
    },
    { serveAdminPanel: true }
  );
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  token = await adminToken(app.http, SUPER.email, SUPER.password);

  await ensureRole(app.strapi, 'staff', 'Staff');
  await createUser(app.strapi, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
  await createUser(app.strapi, { username: 'bob', email: 'bob@example.com', password: PASSWORD });
  await createUser(app.strapi, { username: 'stella', email: 'stella@example.com', password: PASSWORD, roleType: 'staff' });
  await enrolTotp(app.http, (await login(app.http, 'alice', PASSWORD)).body.jwt);
  await createAdmin(app.strapi, { ...EDITOR, roleName: 'Editors without two-factor', actions: ['plugin::users-permissions.roles.read'] });

  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1440, height: 1700 }, locale: 'en-US' });
  page = await context.newPage();
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

const field = (name: string) => page.locator(`input[name="${name}"]`);
const checkbox = (label: string) => page.getByRole('checkbox', { name: label, exact: true });
const save = async () => {
  await page.getByRole('button', { name: 'Save' }).click();
  await expectText('Two-factor settings saved');
};
const expectText = (text: string | RegExp) => page.getByText(text).first().waitFor({ state: 'visible', timeout: 20000 });
const openSettings = async () => {
  await page.goto(`${base}${SETTINGS}`);
  await page.getByRole('heading', { name: 'Two-factor authentication', level: 1 }).waitFor({ timeout: 30000 });
};

describe('admin panel in a browser', () => {
  it('signs into the admin panel and finds the three pages beside Users & Permissions', async () => {
    await signIn(page, base, SUPER.email, SUPER.password);
    await page.goto(`${base}/admin/settings`);
    for (const link of ['Two-factor authentication', 'Two-factor users', 'Two-factor audit log']) {
      await page.getByRole('link', { name: link }).waitFor({ timeout: 30000 });
    }
    await screenshot(page, '01-settings-menu');
  });

  it('shows the settings, with SMS greyed out while no provider is configured', async () => {
    await openSettings();
    expect(await field('issuer').inputValue()).toBe('Strapi');
    expect(await checkbox('Authenticator app (TOTP)').getAttribute('aria-checked')).toBe('true');
    expect(await checkbox('SMS code').isDisabled()).toBe(true);
    await expectText(/SMS module required/);
    await screenshot(page, '02-settings');
  });

  it('changes settings, saves, reloads and sees them kept', async () => {
    await field('issuer').fill('Acme Corp');
    await field('codeLifetime').fill('300');
    await field('backupCodeCount').fill('8');
    await save();
    await page.reload();
    await page.getByRole('heading', { name: 'Two-factor authentication', level: 1 }).waitFor();
    expect(await field('issuer').inputValue()).toBe('Acme Corp');
    expect(await field('codeLifetime').inputValue()).toBe('300');
    expect(await field('backupCodeCount').inputValue()).toBe('8');
    expect((await api('/two-factor/settings')).body).toMatchObject({ issuer: 'Acme Corp', codeLifetime: 300, backupCodeCount: 8 });
  });

  it('refuses out-of-range numbers at the field and saves nothing', async () => {
    await field('codeLifetime').fill('5');
    await field('totpWindow').fill('7');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectText('Enter a whole number from 60 to 600.');
    await expectText('Enter a whole number from 0 to 2.');
    await screenshot(page, '03-settings-invalid');
    expect((await api('/two-factor/settings')).body).toMatchObject({ codeLifetime: 300, totpWindow: 1 });
  });

  it('switches the authenticator app off: the API refuses its enrolment, its users still need it', async () => {
    await openSettings();
    await checkbox('Authenticator app (TOTP)').click();
    await save();
    const jwt = (await login(app.http, 'bob', PASSWORD)).body.jwt;
    const refused = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${jwt}`).send({ method: 'totp' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('Authenticator app two-factor is not enabled on this site');
    expect((await login(app.http, 'alice', PASSWORD)).body).toMatchObject({ twoFaRequired: true });

    await checkbox('Authenticator app (TOTP)').click();
    await save();
    expect((await api('/two-factor/settings')).body.methods.totp).toBe(true);
  });

  it('requires two-factor for a role: its user gets the setup-required answer', async () => {
    expect((await login(app.http, 'stella', PASSWORD)).body.jwt).toEqual(expect.any(String));
    await checkbox('Staff').click();
    await save();
    const answer = await login(app.http, 'stella', PASSWORD);
    expect(answer.body).toMatchObject({ message: '2FA setup required', twoFaSetupRequired: true, mfaToken: expect.any(String) });
    expect(answer.body.jwt).toBeUndefined();
    expect((await login(app.http, 'bob', PASSWORD)).body.jwt).toEqual(expect.any(String));
    await screenshot(page, '04-settings-saved');
  });

  it('lists users with their 2FA state and resets one after confirmation', async () => {
    await page.goto(`${base}${USERS}`);
    await page.getByRole('heading', { name: 'Two-factor users', level: 1 }).waitFor({ timeout: 30000 });
    await page.getByRole('row', { name: 'alice' }).waitFor();
    await screenshot(page, '05-users');

    await page.getByPlaceholder('Search by username or email').fill('alice@');
    await page.getByRole('row', { name: 'bob' }).waitFor({ state: 'detached' });
    const row = page.getByRole('row', { name: 'alice' });
    await expect.poll(() => row.innerText()).toMatch(/authenticator app[\s\S]*\b10\b/i);

    await row.getByRole('button', { name: 'Reset 2FA' }).click();
    await expectText(/Reset two-factor for alice\?/);
    // The dialog names what alice has, not every method there is.
    const dialog = await page.getByRole('alertdialog').innerText();
    expect(dialog).toContain('This removes their authenticator app and their 10 backup codes;');
    expect(dialog).not.toMatch(/SMS|email codes/);
    await screenshot(page, '06-users-reset-confirm');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    await expectText('Two-factor reset for alice');
    await expect.poll(() => row.innerText()).toMatch(/None/);
    expect(await row.getByRole('button', { name: 'Reset 2FA' }).isDisabled()).toBe(true);
    await screenshot(page, '07-users-after-reset');

    expect((await login(app.http, 'alice', PASSWORD)).body.jwt).toEqual(expect.any(String));
    await expect.poll(() => mails).toContain('alice@example.com');
    expect((await api('/two-factor/events?type=admin.reset')).body.results[0].details).toMatchObject({ methods: 'totp', backupCodes: 10 });
  });

  it('finds the events in the audit log, filtered by user and type', async () => {
    // A login from a browser with a long user agent: its column must not push the table wider than the page.
    await enrolTotp(app.http, (await login(app.http, 'bob', PASSWORD)).body.jwt);
    await app.http().post('/api/auth/local').set('User-Agent', LONG_UA).send({ identifier: 'bob', password: PASSWORD });
    await page.goto(`${base}${EVENTS}`);
    await page.getByRole('heading', { name: 'Two-factor audit log', level: 1 }).waitFor({ timeout: 30000 });
    await expectText('Reset by an administrator');
    await expectText('Method added');
    await expectText(/Edg\/131/);
    await screenshot(page, '08-events');
    const fit = await page.evaluate(() => {
      let el: HTMLElement | null = document.querySelector('table');
      while (el && getComputedStyle(el).overflowX === 'visible') el = el.parentElement;
      return { scroll: el!.scrollWidth, client: el!.clientWidth };
    });
    expect(fit.scroll, 'the audit log table scrolls sideways at 1440 px').toBeLessThanOrEqual(fit.client);

    await page.locator('input[name="user"]').fill('alice');
    await page.getByRole('combobox').click();
    await page.getByRole('option', { name: 'Reset by an administrator' }).click();
    await expect.poll(async () => page.locator('tbody tr').count(), { timeout: 20000 }).toBe(1);
    expect(await page.locator('tbody tr').innerText()).toMatch(/Reset by an administrator[\s\S]*alice\s+alice@example\.com/);
    await screenshot(page, '09-events-filtered');
  });

  it('shows the pages in French to an admin who chose French', async () => {
    await page.evaluate(() => localStorage.setItem('strapi-admin-language', 'fr'));
    await page.goto(`${base}${SETTINGS}`);
    await page.getByRole('heading', { name: 'Authentification à deux facteurs', level: 1 }).waitFor({ timeout: 30000 });
    await expectText('Obligatoire pour les rôles');
    await screenshot(page, '10-settings-fr');
    await page.evaluate(() => localStorage.setItem('strapi-admin-language', 'de'));
    await page.goto(`${base}${USERS}`);
    await page.getByRole('heading', { name: 'Zwei-Faktor-Benutzer', level: 1 }).waitFor({ timeout: 30000 });
    await screenshot(page, '11-users-de');
    await page.evaluate(() => localStorage.setItem('strapi-admin-language', 'en'));
  });

  it('an admin without the plugin permissions sees neither the pages nor the data', async () => {
    const other = await browser.newContext({ viewport: { width: 1440, height: 1700 }, locale: 'en-US' });
    const editorPage = await other.newPage();
    await signIn(editorPage, base, EDITOR.email, EDITOR.password);
    await editorPage.goto(`${base}/admin/settings`);
    await editorPage.waitForLoadState('networkidle');
    expect(await editorPage.getByRole('link', { name: /Two-factor/ }).count()).toBe(0);
    for (const url of [SETTINGS, USERS, EVENTS]) {
      await editorPage.goto(`${base}${url}`);
      await editorPage.getByText(/don't have the permissions/i).first().waitFor({ timeout: 30000 });
      expect(await editorPage.getByRole('heading', { name: /Two-factor/, level: 1 }).count()).toBe(0);
    }
    await screenshot(editorPage, '12-no-permission');
    const editorToken = await adminToken(app.http, EDITOR.email, EDITOR.password);
    for (const url of ['/two-factor/settings', '/two-factor/users', '/two-factor/events']) {
      expect((await app.http().get(url).set('Authorization', `Bearer ${editorToken}`)).status).toBe(403);
    }
    await other.close();
  });

  it("the plugin's pages add no useRBAC warning, and the app serves its favicon", async () => {
    // Strapi's own ConfigurationProvider (@strapi/admin 5.54) warns once on every page load, with
    // or without this plugin; a page of the plugin that passed an object would add its own.
    for (const [url, heading] of [
      [SETTINGS, 'Two-factor authentication'],
      [USERS, 'Two-factor users'],
      [EVENTS, 'Two-factor audit log'],
    ]) {
      const before = consoleMessages.length;
      await page.goto(`${base}${url}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor({ timeout: 30000 });
      await page.waitForTimeout(1000);
      const warnings = consoleMessages.slice(before).filter((m) => m.includes('useRBAC'));
      expect(warnings.length, `${url}: ${warnings.join(' | ')}`).toBeLessThanOrEqual(1);
    }
    expect((await app.http().get('/favicon.ico')).status).toBe(200);
    expect(app.logs.matching(/ENOENT/)).toEqual([]);
  });
});
