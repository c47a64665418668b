import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { totpCode } from '../../server/src/core';
import { DEVELOPMENT_KEY_WARNING } from '../../server/src/services/keys';
import { launch, screenshot, signIn } from '../e2e/browser';
import { APP_DIR, ROOT, createApp, mergePluginsJs, pack, readmeInstall, run, start, stop, type Started } from './fresh-app';
// @ts-expect-error: a plain ES module without types
import { packageProblems } from '../../scripts/check-package.mjs';

/**
 * The package as a newcomer gets it: `npm pack` of a clean clone holds the server and
 * admin bundles, their types, the LICENSE and the README; installed into a fresh
 * `create-strapi-app --js` app by the README's install section word for word, it runs on the
 * configured key (never the development one), shows its admin pages and runs the login flow.
 */
const ADMIN = { email: 'fresh@example.com', password: 'FreshPassw0rd!', firstname: 'Fresh', lastname: 'Admin' };
let tarball: string;
let files: string[];
let app: Started;
let browser: Browser;
/** The backup codes of the user the login test enrols; the client's login uses one. */
let backupCodes: string[] = [];

const shell = (command: string) => run('bash', ['-euo', 'pipefail', '-c', command], APP_DIR);

beforeAll(async () => {
  ({ tarball, files } = pack());
  createApp();
});

afterAll(async () => {
  await browser?.close();
  if (app) await stop(app.child);
});

describe('npm pack of a clean clone', () => {
  it('holds the bundles, their types, LICENSE and README, and every link of its documents resolves', () => {
    expect(path.basename(tarball)).toMatch(/^strapi-plugin-two-factor-\d+\.\d+\.\d+\.tgz$/);
    for (const file of ['dist/server/index.js', 'dist/server/index.mjs', 'dist/server/src/index.d.ts', 'dist/admin/index.js', 'dist/admin/index.mjs', 'dist/admin/src/index.d.ts', 'LICENSE', 'README.md', 'package.json']) {
      expect(files).toContain(file);
    }
    // Sources, tests and the host app stay out.
    expect(files.filter((f) => /^(server|admin|tests|scripts|bench)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const unpacked = path.join(path.dirname(tarball), 'unpacked');
    fs.rmSync(unpacked, { recursive: true, force: true });
    fs.mkdirSync(unpacked);
    run('tar', ['-xzf', tarball, '-C', unpacked], ROOT);
    const problems = packageProblems({
      files,
      pkg: JSON.parse(fs.readFileSync(path.join(unpacked, 'package', 'package.json'), 'utf8')),
      read: (file: string) => fs.readFileSync(path.join(unpacked, 'package', file), 'utf8'),
      repoHas: (file: string) => fs.existsSync(path.join(ROOT, file)),
    });
    expect(problems).toEqual([]);
  });
});

describe('the README install section, word for word, in a fresh create-strapi-app --js app', () => {
  const readme = readmeInstall();

  it('installs the tarball and sets the key with its commands', { timeout: 900_000 }, () => {
    const [install, ...rest] = readme.commands;
    expect(install).toMatch(/^npm install strapi-plugin-two-factor\n$/);
    shell(install.replace('strapi-plugin-two-factor', JSON.stringify(tarball)));
    expect(fs.existsSync(path.join(APP_DIR, 'node_modules', 'strapi-plugin-two-factor', 'dist', 'server', 'index.js'))).toBe(true);
    // The key command and the build; the start is the next tests' own.
    for (const block of rest) {
      for (const line of block.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^npm run (start|develop)\b/.test(l))) shell(line);
    }
    expect(fs.readFileSync(path.join(APP_DIR, '.env'), 'utf8')).toMatch(/^TWO_FACTOR_ENCRYPTION_KEY=[0-9a-f]{64}$/m);
    expect(fs.existsSync(path.join(APP_DIR, 'dist', 'build', 'index.html')) || fs.existsSync(path.join(APP_DIR, 'build', 'index.html'))).toBe(true);
  });

  it('the .ts snippet in a JavaScript app: production refuses to start, naming the file it read and the one it ignored', async () => {
    fs.writeFileSync(path.join(APP_DIR, 'config', 'plugins.ts'), readme.pluginsTs);
    try {
      const started = await start({ NODE_ENV: 'production' });
      if ('child' in started) {
        await stop(started.child);
        throw new Error('the app started in production with its key in an ignored config/plugins.ts');
      }
      expect(started.exited).not.toBe(0);
      expect(started.log).toContain('an encryptionKey is required when NODE_ENV=production');
      expect(started.log).toContain('Strapi read config/plugins.js');
      expect(started.log).toContain('config/plugins.ts is NOT read: this is a JavaScript app');
      expect(started.log).toContain("encryptionKey: env('TWO_FACTOR_ENCRYPTION_KEY')");
    } finally {
      fs.rmSync(path.join(APP_DIR, 'config', 'plugins.ts'));
    }
  });

  it('the .js snippet merged into config/plugins.js: starts in production on the configured key', async () => {
    const file = path.join(APP_DIR, 'config', 'plugins.js');
    fs.writeFileSync(file, mergePluginsJs(fs.readFileSync(file, 'utf8'), readme.pluginsJs));
    const started = await start({ NODE_ENV: 'production' });
    if (!('child' in started)) throw new Error(`npm run start exited with ${started.exited}:\n${started.log}`);
    await stop(started.child);
    expect(started.log()).not.toContain(DEVELOPMENT_KEY_WARNING);
  });

  it('npm run start, as the README says it: the configured key, no development-key warning', async () => {
    // Without NODE_ENV=production: this app's refresh-mode sessions set a secure cookie in
    // production, which Strapi refuses over the plain HTTP of a test.
    const started = await start({});
    if (!('child' in started)) throw new Error(`npm run start exited with ${started.exited}:\n${started.log}`);
    app = started;
    expect(app.log()).not.toContain(DEVELOPMENT_KEY_WARNING);
    expect(app.log()).not.toMatch(/two-factor.*(warn|error)|(warn|error).*two-factor/i);
  });
});

describe('the installed plugin', () => {
  it("shows its pages in the app's own admin build", async () => {
    const registered = await fetch(`${app.base}/admin/register-admin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    expect(registered.status).toBe(200);
    browser = await launch();
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 1200 } })).newPage();
    await signIn(page, app.base, ADMIN.email, ADMIN.password);
    await page.goto(`${app.base}/admin/settings/users-permissions/two-factor`);
    await page.getByRole('heading', { name: 'Two-factor authentication', level: 1 }).waitFor({ timeout: 60000 });
    await page.getByRole('checkbox', { name: 'Authenticator app (TOTP)', exact: true }).waitFor();
    // No SMS provider in this app: SMS is offered greyed out.
    expect(await page.getByRole('checkbox', { name: 'SMS code', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'pack-settings');
    for (const [url, heading] of [
      ['two-factor-users', 'Two-factor users'],
      ['two-factor-events', 'Two-factor audit log'],
    ]) {
      await page.goto(`${app.base}/admin/settings/users-permissions/${url}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor({ timeout: 60000 });
    }
  });

  const json = async (method: string, url: string, body?: unknown, token?: string) => {
    const res = await fetch(`${app.base}${url}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };

  it('runs the login flow over its API (the new app issues refresh-mode sessions)', async () => {
    const registered = await json('POST', '/api/auth/local/register', { username: 'fresh', email: 'fresh-user@example.com', password: 'UserPassw0rd!' });
    expect(registered.status).toBe(200);
    const jwt = registered.body.jwt;
    const enable = await json('POST', '/api/two-factor/enable', { method: 'totp' }, jwt);
    expect(enable.status).toBe(200);
    expect(enable.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const confirm = await json('POST', '/api/two-factor/confirm', { method: 'totp', code: totpCode(enable.body.secret) }, jwt);
    expect(confirm.status).toBe(200);
    expect(confirm.body.backupCodes).toHaveLength(10);
    backupCodes = confirm.body.backupCodes;

    const login = await json('POST', '/api/auth/local', { identifier: 'fresh', password: 'UserPassw0rd!' });
    expect(login.body).toMatchObject({ twoFaRequired: true, mfaToken: expect.any(String) });
    expect(login.body.jwt).toBeUndefined();
    const verified = await json('POST', '/api/two-factor/verify', { mfaToken: login.body.mfaToken, code: confirm.body.backupCodes[0] });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ jwt: expect.any(String), user: { username: 'fresh' } });
  });

  it('its client, strapi-plugin-two-factor/client, is required and imported from the installed package and signs in against the app', () => {
    const installed = path.join(APP_DIR, 'node_modules', 'strapi-plugin-two-factor', 'dist', 'client');
    // CommonJS: resolved by name inside the fresh app, to the installed package's build.
    const cjs = JSON.parse(
      run(process.execPath, ['-e', `const c = require('strapi-plugin-two-factor/client'); console.log(JSON.stringify({ file: require.resolve('strapi-plugin-two-factor/client'), keys: Object.keys(c).sort() }))`], APP_DIR)
    );
    expect(cjs.file).toBe(path.join(installed, 'index.js'));
    expect(cjs.keys).toEqual(expect.arrayContaining(['createTwoFactorClient', 'TwoFactorError']));

    // ESM: the same API, and one login through it: the password, then a backup code, then a call as the user.
    const script = `
      import * as api from 'strapi-plugin-two-factor/client';
      const { createTwoFactorClient, TwoFactorError } = api;
      const client = createTwoFactorClient({ url: process.env.APP_URL });
      const wrong = await client.login({ identifier: 'fresh', password: 'not-the-password' }).catch((e) => e);
      const step = await client.login({ identifier: 'fresh', password: 'UserPassw0rd!' });
      const done = await step.verify({ code: process.env.BACKUP_CODE });
      const status = await client.status();
      console.log(JSON.stringify({
        file: import.meta.resolve('strapi-plugin-two-factor/client'),
        keys: Object.keys(api).sort(),
        wrong: { isClientError: wrong instanceof TwoFactorError, code: wrong.code },
        step: { status: step.status, methods: step.methods },
        done: { status: done.status, username: done.user.username, jwt: typeof done.jwt },
        status,
      }));`;
    const esm = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], APP_DIR, { APP_URL: app.base, BACKUP_CODE: backupCodes[1] }));
    expect(esm).toEqual({
      file: pathToFileURL(path.join(installed, 'index.mjs')).href,
      keys: cjs.keys,
      wrong: { isClientError: true, code: 'INVALID_INPUT' },
      step: { status: 'second-factor', methods: ['totp', 'backup_code'] },
      done: { status: 'signed-in', username: 'fresh', jwt: 'string' },
      status: { enabled: true, methods: ['totp'], backupCodesRemaining: 8 },
    });
  });

  it('serves the admin API behind admin authentication', async () => {
    expect((await json('GET', '/two-factor/settings')).status).toBe(401);
    const session = await json('POST', '/admin/login', { email: ADMIN.email, password: ADMIN.password });
    const settings = await json('GET', '/two-factor/settings', undefined, session.body.data.token);
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({ enabled: true, smsAvailable: false, methods: { totp: true, sms: false } });
  });

  it('logged no error and no warning of the plugin, and served no 500', () => {
    expect(app.log()).not.toContain(DEVELOPMENT_KEY_WARNING);
    expect(app.log()).not.toMatch(/ENOENT|\(\d+ ms\) 5\d\d/);
  });
});
