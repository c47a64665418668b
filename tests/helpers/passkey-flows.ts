import { expect } from 'vitest';
import type { TestApp } from './strapi';
import { updateSettings, type HttpApp, type TestUser } from './flows';
import { SoftAuthenticator } from './soft-authenticator';

/** The relying party the suites configure (config passkeys.rpId / passkeys.origins, from the host app's env). */
export const RP_ID = 'localhost';
export const ORIGIN = 'http://localhost:5173';
export const PASSKEY_ENV = { TWO_FACTOR_PASSKEY_RP_ID: RP_ID, TWO_FACTOR_PASSKEY_ORIGINS: `${ORIGIN},http://localhost:5174` };

export const authenticator = (options: { counterless?: boolean } = {}) => new SoftAuthenticator(ORIGIN, RP_ID, options);

/** Switches passkeys on (and passwordless sign-in when asked) as the admin panel would. */
export const enablePasskeys = (app: TestApp, options: { passwordless?: boolean } = {}) =>
  updateSettings(app, { methods: { passkey: true }, passkeys: { passwordless: options.passwordless ?? false } });

const bearer = (user: { jwt: string }) => ({ Authorization: `Bearer ${user.jwt}` });

export async function passkeyOptions(app: HttpApp, user: { jwt: string }, body: Record<string, unknown> = {}) {
  return app.http().post('/api/two-factor/passkeys/options').set(bearer(user)).send(body);
}

/** Registers a passkey of `device` for the user: options, the ceremony, POST /passkeys. Answers the last response. */
export async function registerPasskey(
  app: HttpApp,
  user: { jwt: string },
  device: SoftAuthenticator,
  body: { code?: string; name?: string } = {}
) {
  const options = await passkeyOptions(app, user, body.code ? { code: body.code } : {});
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  const { response } = device.register(options.body);
  return app
    .http()
    .post('/api/two-factor/passkeys')
    .set(bearer(user))
    .send({ response, ...(body.name ? { name: body.name } : {}) });
}

/** A user with one passkey (their first factor): answers the added passkey's body. */
export async function withPasskey(app: HttpApp, user: TestUser, device: SoftAuthenticator) {
  const res = await registerPasskey(app, user, device);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The second factor's request options for a pending login. */
export async function passkeyChallenge(app: HttpApp, mfaToken: string) {
  return app.http().post('/api/two-factor/passkeys/challenge').send({ mfaToken });
}

export async function verifyPasskey(app: HttpApp, mfaToken: string, response: unknown, more: Record<string, unknown> = {}) {
  return app.http().post('/api/two-factor/verify').send({ mfaToken, method: 'passkey', response, ...more });
}
