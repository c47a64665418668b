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
async function frontend(context: BrowserContext): Promise<{ page: Page; call: (path: string, body?: object, jwt?: string) => Promise<Answer> }> {
  const page = await context.newPage();
  await page.goto(`${base}/api/two-factor/status`);
  const call = (path: string, body: object = {}, jwt?: string) =>
    page.evaluate(
      async ({ path, body, jwt }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (jwt) headers.authorization = `Bearer ${jwt}`;
        const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
        return { status: res.status, body: await res.json() };
      },
      { path, body, jwt }
    );
  return { page, call };
}

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
});
