import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { totpCode } from '../../server/src/core';
import { launch, screenshot, signIn } from '../e2e/browser';
import { pack, prepare, start } from './fresh-app';

/**
 * Issue 5, item 7: `npm pack` gives a tarball that installs into a fresh Strapi 5 app
 * (`npm install ./strapi-plugin-two-factor-x.y.z.tgz`, enabled in config/plugins); that app's
 * admin build shows the pages and its API runs the login flow.
 */
const ADMIN = { email: 'fresh@example.com', password: 'FreshPassw0rd!' };
let base: string;
let child: ChildProcess;
let browser: Browser;

beforeAll(async () => {
  const tarball = pack(path.join(os.tmpdir(), 'two-factor-pack'));
  expect(path.basename(tarball)).toMatch(/^strapi-plugin-two-factor-\d+\.\d+\.\d+\.tgz$/);
  prepare(tarball);
  ({ base, child } = await start({
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    TWO_FACTOR_ENCRYPTION_KEY: 'fresh-app-encryption-key-0123456789',
  }));
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});

const json = async (method: string, url: string, body?: unknown, token?: string) => {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
};

describe('the packed plugin in a fresh Strapi app', () => {
  it("shows the plugin's pages in the app's own admin build", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 1200 } })).newPage();
    await signIn(page, base, ADMIN.email, ADMIN.password);
    await page.goto(`${base}/admin/settings/users-permissions/two-factor`);
    await page.getByRole('heading', { name: 'Two-factor authentication', level: 1 }).waitFor({ timeout: 60000 });
    await page.getByRole('checkbox', { name: 'Authenticator app (TOTP)', exact: true }).waitFor();
    // No SMS provider in this app: SMS is offered greyed out.
    expect(await page.getByRole('checkbox', { name: 'SMS code', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'pack-settings');
    for (const [url, heading] of [
      ['two-factor-users', 'Two-factor users'],
      ['two-factor-events', 'Two-factor audit log'],
    ]) {
      await page.goto(`${base}/admin/settings/users-permissions/${url}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor({ timeout: 60000 });
    }
  });

  it('runs the login flow over its API', async () => {
    const registered = await json('POST', '/api/auth/local/register', { username: 'fresh', email: 'fresh-user@example.com', password: 'UserPassw0rd!' });
    expect(registered.status).toBe(200);
    const jwt = registered.body.jwt;
    const enable = await json('POST', '/api/two-factor/enable', { method: 'totp' }, jwt);
    expect(enable.status).toBe(200);
    expect(enable.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const confirm = await json('POST', '/api/two-factor/confirm', { method: 'totp', code: totpCode(enable.body.secret) }, jwt);
    expect(confirm.status).toBe(200);
    expect(confirm.body.backupCodes).toHaveLength(10);

    const login = await json('POST', '/api/auth/local', { identifier: 'fresh', password: 'UserPassw0rd!' });
    expect(login.body).toMatchObject({ twoFaRequired: true, mfaToken: expect.any(String) });
    expect(login.body.jwt).toBeUndefined();
    const verified = await json('POST', '/api/two-factor/verify', { mfaToken: login.body.mfaToken, code: confirm.body.backupCodes[0] });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ jwt: expect.any(String), user: { username: 'fresh' } });
  });

  it('serves the admin API behind admin authentication', async () => {
    expect((await json('GET', '/two-factor/settings')).status).toBe(401);
    const session = await json('POST', '/admin/login', ADMIN);
    const settings = await json('GET', '/two-factor/settings', undefined, session.body.data.token);
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({ enabled: true, smsAvailable: false, methods: { totp: true, sms: false } });
  });
});
