import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/strapi';
import { createUser, enrolTotp, login } from '../helpers/admin';
import { totpCode } from '../../server/src/core';
import { launch } from './browser';

/**
 * A frontend's side in a real browser: chromium calls the content API from a page of the host
 * app's origin with `fetch`, so its own cookie jar keeps (or refuses) the plugin's cookies, with
 * their httpOnly, path and SameSite rules.
 */
const PASSWORD = 'UserPassw0rd!';

let app: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  app = await startApp();
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface Answer {
  status: number;
  body: any;
}

/** A page of the app's origin whose `call` sends JSON with the browser's cookies, as a frontend does. */
async function frontend(
  context: BrowserContext
): Promise<{ page: Page; call: (path: string, body?: object, jwt?: string, method?: string) => Promise<Answer> }> {
  const page = await context.newPage();
  await page.goto(`${base}/api/two-factor/status`);
  const call = (path: string, body: object = {}, jwt?: string, method = 'POST') =>
    page.evaluate(
      async ({ path, body, jwt, method }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (jwt) headers.authorization = `Bearer ${jwt}`;
        const init: RequestInit = { method, headers, credentials: 'same-origin' };
        if (method !== 'GET') init.body = JSON.stringify(body);
        const res = await fetch(path, init);
        return { status: res.status, body: await res.json() };
      },
      { path, body, jwt, method }
    );
  return { page, call };
}

/** Waits into the next second: a legacy JWT is `{ id, iat }` signed, so one of the same second is the same token. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));

/** A user with an authenticator app; `step` gives the codes of the coming 30 s steps. */
async function totpUser(name: string) {
  await createUser(app.strapi, { username: name, email: `${name}@example.com`, password: PASSWORD });
  const plainJwt = (await login(app.http, name, PASSWORD)).body.jwt as string;
  const { secret } = await enrolTotp(app.http, plainJwt);
  return { email: `${name}@example.com`, plainJwt, code: (steps: number) => totpCode(secret, { time: Date.now() / 1000 + steps * 30 }) };
}

describe('sign-in from a browser', () => {
  it('the pending login rides in an httpOnly cookie the page cannot read, and the code alone completes it', async () => {
    const user = await totpUser('browser-ada');
    const context = await browser.newContext();
    const { page, call } = await frontend(context);

    const password = await call('/api/auth/local', { identifier: user.email, password: PASSWORD });
    expect(password.status).toBe(200);
    expect(password.body).toMatchObject({ message: '2FA required', twoFaRequired: true });
    const pending = (await context.cookies()).find((cookie) => cookie.name === 'strapi_two_factor');
    expect(pending).toMatchObject({ httpOnly: true, path: '/api', sameSite: 'Lax' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('strapi_two_factor');

    // No mfaToken in the body: the browser sends the cookie.
    const verify = await call('/api/two-factor/verify', { code: user.code(1) });
    expect(verify.status, JSON.stringify(verify.body)).toBe(200);
    expect(verify.body.jwt).toEqual(expect.any(String));
    // Spent: the cookie is gone, and a second verify has nothing to complete.
    expect((await context.cookies()).some((cookie) => cookie.name === 'strapi_two_factor')).toBe(false);
    expect((await call('/api/two-factor/verify', { code: user.code(1) })).status).toBe(401);
    await context.close();
  });

  it('the session that just verified is fresh: backup codes and a guarded host route need no code; an older session does', async () => {
    const user = await totpUser('browser-bob');
    // The sign-in below must issue another JWT than the one from before two-factor was on.
    await nextSecond();
    const context = await browser.newContext();
    const { call } = await frontend(context);
    await call('/api/auth/local', { identifier: user.email, password: PASSWORD });
    const { jwt } = (await call('/api/two-factor/verify', { code: user.code(1) })).body;

    const codes = await call('/api/two-factor/backup-codes', {}, jwt);
    expect(codes.status, JSON.stringify(codes.body)).toBe(200);
    expect(codes.body.backupCodes).toHaveLength(10);
    expect((await call('/api/account/close', {}, jwt)).body).toMatchObject({ closed: true });

    // The JWT from before two-factor was on: STEP_UP_REQUIRED, then a step-up with a code opens it.
    const stale = await call('/api/account/close', {}, user.plainJwt);
    expect(stale.status).toBe(403);
    expect(stale.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const stepUp = await call('/api/two-factor/step-up', { code: codes.body.backupCodes[0] }, user.plainJwt);
    expect(stepUp.status, JSON.stringify(stepUp.body)).toBe(200);
    expect(Date.parse(stepUp.body.freshUntil)).toBeGreaterThan(Date.now());
    expect((await call('/api/account/close', {}, user.plainJwt)).status).toBe(200);
    await context.close();
  });

  it('"remember this device": the httpOnly device cookie skips the code at the next sign-in, until it is revoked from the device list', async () => {
    const settings = app.strapi.plugin('two-factor').service('settings');
    await settings.update({ ...(await settings.get()), trustedDevices: { enabled: true, days: 30 } });
    const user = await totpUser('browser-cy');
    const context = await browser.newContext();
    const { page, call } = await frontend(context);

    await call('/api/auth/local', { identifier: user.email, password: PASSWORD });
    const verify = await call('/api/two-factor/verify', { code: user.code(1), trustDevice: true });
    expect(verify.status, JSON.stringify(verify.body)).toBe(200);
    expect(verify.body.deviceToken).toEqual(expect.any(String));
    const device = (await context.cookies()).find((cookie) => cookie.name === 'strapi_two_factor_device');
    expect(device).toMatchObject({ httpOnly: true, path: '/api', sameSite: 'Lax', value: verify.body.deviceToken });
    expect(device!.expires * 1000).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(await page.evaluate(() => document.cookie)).not.toContain('strapi_two_factor_device');

    // The next sign-in from this browser: the password alone, the cookie does the rest (in another
    // second, so that it is another JWT).
    await nextSecond();
    const again = await call('/api/auth/local', { identifier: user.email, password: PASSWORD });
    expect(again.status).toBe(200);
    expect(again.body.jwt).toEqual(expect.any(String));
    expect(again.body.twoFaRequired).toBeUndefined();
    // A wrong password is still a wrong password.
    expect((await call('/api/auth/local', { identifier: user.email, password: 'Wrong-Horse-9' })).status).toBe(400);
    // Not fresh: a remembered device is not a second factor passed now.
    expect((await call('/api/two-factor/backup-codes', {}, again.body.jwt)).body.error?.details?.code).toBe('STEP_UP_REQUIRED');

    // Another browser without the cookie is asked for the code.
    const other = await frontend(await browser.newContext());
    expect((await other.call('/api/auth/local', { identifier: user.email, password: PASSWORD })).body.twoFaRequired).toBe(true);

    // The device list marks this browser's device; revoking it ends the skip at once.
    const listed = await call('/api/two-factor/devices', {}, again.body.jwt, 'GET');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([expect.objectContaining({ current: true, label: expect.stringContaining('Chrome') })]);
    expect((await call(`/api/two-factor/devices/${listed.body[0].id}`, {}, again.body.jwt, 'DELETE')).status).toBe(200);
    const afterRevoke = await call('/api/auth/local', { identifier: user.email, password: PASSWORD });
    expect(afterRevoke.body).toMatchObject({ twoFaRequired: true });
    expect(afterRevoke.body.jwt).toBeUndefined();
    await context.close();
  });
});
