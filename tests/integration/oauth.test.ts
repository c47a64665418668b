import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import request from 'supertest';
import { startApp, type TestApp } from '../helpers/strapi';
import { awayFromStepEnd, codeAt } from '../helpers/flows';

/**
 * J6 for the OAuth provider login (`GET /api/auth/:provider/callback`): a real OAuth 2 round trip
 * through users-permissions' connect flow, against a local provider, for a user with 2FA.
 */
let app: TestApp;
let provider: http.Server;
let providerUrl: string;
const EMAIL = 'oauth-user@example.com';

beforeAll(async () => {
  // The provider's token endpoint: any code is worth an access token naming our user.
  provider = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ access_token: `token-for:${EMAIL}`, token_type: 'bearer' }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  providerUrl = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;

  app = await startApp();

  app.logs.expect(/You are using a third party provider for login/); // users-permissions' advice for a relative server url
  app.strapi.plugin('users-permissions').service('providers-registry').add('localoauth', {
    enabled: true,
    icon: '',
    grantConfig: {},
    // What a provider's profile lookup gives users-permissions.
    authCallback: async ({ accessToken }: { accessToken: string }) => ({ username: 'oauthuser', email: accessToken.split(':')[1] }),
  });
  const store = app.strapi.store({ type: 'plugin', name: 'users-permissions', key: 'grant' });
  await store.set({
    value: {
      ...((await store.get({})) as object),
      localoauth: {
        enabled: true,
        key: 'client-id',
        secret: 'client-secret',
        oauth: 2,
        authorize_url: `${providerUrl}/authorize`,
        access_url: `${providerUrl}/token`,
        callback: 'http://frontend.test/connect/localoauth/redirect',
        scope: [],
      },
    },
  });
});
afterAll(async () => {
  await app?.stop();
  provider?.close();
});

/** Connect → provider → callback, as a browser would, then the frontend's call for the tokens. */
const oauthLogin = async () => {
  const browser = request.agent(app.strapi.server.httpServer);
  const start = await browser.get('/api/connect/localoauth');
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.location);
  expect(authorize.origin + authorize.pathname).toBe(`${providerUrl}/authorize`);
  const redirect = new URL(authorize.searchParams.get('redirect_uri')!, 'http://127.0.0.1');
  const back = await browser.get(`${redirect.pathname}?code=abc&state=${authorize.searchParams.get('state')}`);
  expect(back.status).toBe(302);
  expect(back.headers.location).toMatch(/^http:\/\/frontend\.test\/connect\/localoauth\/redirect/);
  expect(back.headers.location).not.toContain('error');
  return browser.get('/api/auth/localoauth/callback');
};

describe('OAuth provider login (J6)', () => {
  it('logs a user without 2FA in; once they enable 2FA it answers a pending login, and the code completes it', async () => {
    const first = await oauthLogin();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.jwt).toEqual(expect.any(String));
    const auth = { Authorization: `Bearer ${first.body.jwt}` };

    const enable = await app.http().post('/api/two-factor/enable').set(auth).send({ method: 'totp' });
    await awayFromStepEnd();
    const confirm = await app.http().post('/api/two-factor/confirm').set(auth).send({ method: 'totp', code: codeAt(enable.body.secret, -1) });
    expect(confirm.status).toBe(200);

    const second = await oauthLogin();
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ twoFaRequired: true, mfaToken: expect.any(String) });
    expect(second.body.jwt).toBeUndefined();
    expect(second.body.user).toBeUndefined();

    // An OAuth user has no password; the pending login still completes with the second factor.
    const verify = await app.http().post('/api/two-factor/verify').send({ mfaToken: second.body.mfaToken, code: codeAt(enable.body.secret) });
    expect(verify.status).toBe(200);
    expect(verify.body.user.email).toBe(EMAIL);
  });
});
