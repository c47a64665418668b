import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { startApp, type TestApp } from '../helpers/strapi';
import { createUser, login } from '../helpers/admin';
import { launch } from './browser';

/**
 * Passkeys in a real browser: chromium's WebAuthn stack with a virtual platform authenticator
 * (Chrome DevTools Protocol, ctap2, internal transport, user verification), on a page of the host
 * app's origin that calls the plugin with @simplewebauthn/browser, as a frontend does. The page is
 * on `localhost`, because an RP ID cannot be an IP address.
 */
const PASSWORD = 'UserPassw0rd!';
// The package's browser bundle (a UMD global, SimpleWebAuthnBrowser); its exports map does not name it.
const BROWSER_BUNDLE = fs.readFileSync(
  path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js'),
  'utf8'
);

let app: TestApp;
let browser: Browser;
let origin: string;

/** A port free now: the plugin's allowed origin must be known before Strapi starts. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  app = await startApp({ TWO_FACTOR_PASSKEY_RP_ID: 'localhost', TWO_FACTOR_PASSKEY_ORIGINS: origin });
  await new Promise<void>((resolve) => app.strapi.server.httpServer.listen(port, resolve));
  const settings = app.strapi.plugin('two-factor').service('settings');
  const current = await settings.get();
  await settings.update({ ...current, methods: { ...current.methods, passkey: true }, passkeys: { ...current.passkeys, passwordless: true } });
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

/**
 * A browser context for the app's origin. The page is one of the API's JSON answers, whose
 * Content-Security-Policy (Strapi's, `script-src 'self'`) would refuse the inline library a real
 * frontend ships in its own bundle: the context ignores that policy.
 */
const newContext = () => browser.newContext({ bypassCSP: true });

/** A page of the app's origin with @simplewebauthn/browser loaded and a platform authenticator attached. */
async function frontend(context: BrowserContext): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const page = await context.newPage();
  await page.goto(`${origin}/api/two-factor/status`);
  await page.addScriptTag({ content: BROWSER_BUNDLE });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { page, cdp, authenticatorId };
}

/** JSON to the content API from the page, with the browser's cookies. */
const call = (page: Page, path: string, body: object = {}, jwt?: string, method = 'POST'): Promise<Answer> =>
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

/** Creation options from the server, the browser's ceremony, the answer back to the server. */
const register = (page: Page, jwt: string, name: string): Promise<Answer> =>
  page.evaluate(
    async ({ jwt, name }) => {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${jwt}` };
      const optionsJSON = await (await fetch('/api/two-factor/passkeys/options', { method: 'POST', headers, body: '{}' })).json();
      const response = await (window as any).SimpleWebAuthnBrowser.startRegistration({ optionsJSON });
      const res = await fetch('/api/two-factor/passkeys', { method: 'POST', headers, body: JSON.stringify({ response, name }) });
      return { status: res.status, body: await res.json() };
    },
    { jwt, name }
  );

/** Request options from `optionsPath`, the browser's assertion, and `{ response, ...extra }` to `answerPath`. */
const authenticate = (page: Page, optionsPath: string, answerPath: string, extra: object = {}): Promise<Answer & { options: any }> =>
  page.evaluate(
    async ({ optionsPath, answerPath, extra }) => {
      const headers = { 'content-type': 'application/json' };
      const optionsJSON = await (await fetch(optionsPath, { method: 'POST', headers, body: '{}', credentials: 'same-origin' })).json();
      const response = await (window as any).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
      const res = await fetch(answerPath, { method: 'POST', headers, body: JSON.stringify({ response, ...extra }), credentials: 'same-origin' });
      return { status: res.status, body: await res.json(), options: optionsJSON };
    },
    { optionsPath, answerPath, extra }
  );

describe('passkeys in a browser (virtual platform authenticator)', () => {
  it('registers a passkey, signs in with it as the second factor, then without a password', async () => {
    await createUser(app.strapi, { username: 'passkey-ada', email: 'passkey-ada@example.com', password: PASSWORD });
    const jwt = (await login(app.http, 'passkey-ada', PASSWORD)).body.jwt as string;
    const context = await newContext();
    const { page, cdp, authenticatorId } = await frontend(context);

    const added = await register(page, jwt, 'Laptop');
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toMatchObject({ id: expect.anything(), name: 'Laptop', createdAt: expect.any(String) });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    const listed = await call(page, '/api/two-factor/passkeys', {}, jwt, 'GET');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('Laptop');

    // The password, then the passkey: the pending login rides in the cookie, the assertion completes it.
    const password = await call(page, '/api/auth/local', { identifier: 'passkey-ada@example.com', password: PASSWORD });
    expect(password.status).toBe(200);
    expect(password.body).toMatchObject({ twoFaRequired: true });
    expect(password.body.methods).toContain('passkey');
    const second = await authenticate(page, '/api/two-factor/passkeys/challenge', '/api/two-factor/verify', { method: 'passkey' });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.jwt).toEqual(expect.any(String));
    expect(second.body.user).toMatchObject({ email: 'passkey-ada@example.com' });
    // The server asked for this user's passkey, by its id.
    expect(second.options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([credentials[0].credentialId.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')]);
    expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0].signCount).toBeGreaterThan(credentials[0].signCount);

    // Passwordless: discoverable credentials, user verification required; the users-permissions answer.
    const passwordless = await authenticate(page, '/api/two-factor/passkeys/login/options', '/api/two-factor/passkeys/login');
    expect(passwordless.status, JSON.stringify(passwordless.body)).toBe(200);
    expect(passwordless.options).toMatchObject({ userVerification: 'required', rpId: 'localhost' });
    expect(passwordless.options.allowCredentials ?? []).toEqual([]);
    expect(passwordless.body.jwt).toEqual(expect.any(String));
    expect(passwordless.body.user).toMatchObject({ username: 'passkey-ada' });
    const me = await call(page, '/api/users/me', {}, passwordless.body.jwt, 'GET');
    expect(me.body).toMatchObject({ username: 'passkey-ada' });
    await context.close();
  });

  it('another browser, without the passkey, cannot answer the challenge; a removed passkey signs in nobody', async () => {
    await createUser(app.strapi, { username: 'passkey-bob', email: 'passkey-bob@example.com', password: PASSWORD });
    const jwt = (await login(app.http, 'passkey-bob', PASSWORD)).body.jwt as string;
    const laptop = await newContext();
    const first = await frontend(laptop);
    const added = await register(first.page, jwt, 'Phone');
    expect(added.status, JSON.stringify(added.body)).toBe(200);

    // A second browser with an empty authenticator: the ceremony finds no credential and fails in the browser.
    const other = await newContext();
    const second = await frontend(other);
    await call(second.page, '/api/auth/local', { identifier: 'passkey-bob@example.com', password: PASSWORD });
    const lost = await authenticate(second.page, '/api/two-factor/passkeys/challenge', '/api/two-factor/verify', { method: 'passkey' }).then(
      () => 'answered',
      (error: Error) => error.message
    );
    expect(lost).not.toBe('answered');

    // Removing it is a change that needs a recent factor: not the JWT from before the passkey,
    // the session the passkey itself just opened.
    const before = await call(first.page, `/api/two-factor/passkeys/${added.body.id}`, {}, jwt, 'DELETE');
    expect(before.status).toBe(403);
    expect(before.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const signedIn = await authenticate(first.page, '/api/two-factor/passkeys/login/options', '/api/two-factor/passkeys/login');
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
    const removed = await call(first.page, `/api/two-factor/passkeys/${added.body.id}`, {}, signedIn.body.jwt, 'DELETE');
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);

    // Removed on the server: the authenticator still holds it, the plugin no longer knows it.
    const stale = await authenticate(first.page, '/api/two-factor/passkeys/login/options', '/api/two-factor/passkeys/login');
    expect(stale.status, JSON.stringify(stale.body)).toBe(400);
    expect(stale.body.error.details.code).toBe('PASSKEY_INVALID');
    expect(stale.body.jwt).toBeUndefined();
    await laptop.close();
    await other.close();
  });
});
