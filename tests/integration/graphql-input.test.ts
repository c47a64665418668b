import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { code, gql, LOGIN, ok, register } from './graphql-helpers';

/**
 * Bad input on every dialect: wrong types, missing arguments, unknown methods and huge values get
 * GraphQL errors with clear messages — never an internal error, never a 5xx.
 */
let app: TestApp;
let jwt: string;
let mfaToken: string;

const PASSWORD = 'Password123!';
const HUGE = 'x'.repeat(100_000);

beforeAll(async () => {
  app = await startApp();
  app.logs.expect(/^request entity too large/); // the oversized document, refused with 413
  ({ jwt } = await register(app, 'input@example.com', PASSWORD));
  // An account with two-factor, and a live pending login for it.
  const twoFactor = await register(app, 'input2fa@example.com', PASSWORD);
  const { twoFactorEnable } = await ok(app, `mutation { twoFactorEnable(method: "totp") { secret } }`, {}, twoFactor.jwt);
  await ok(app, `mutation($c: String!) { twoFactorConfirm(method: "totp", code: $c) { enabled } }`, { c: code(twoFactorEnable.secret) }, twoFactor.jwt);
  const res = await gql(app, LOGIN, { identifier: 'input2fa@example.com', password: PASSWORD });
  mfaToken = res.body.errors[0].extensions.mfaToken;
});
afterAll(async () => {
  await app?.stop();
});

/** The one error of a refused request: its message, checked never to be an internal one. */
async function refused(query: string, variables: Record<string, unknown> = {}, auth?: string): Promise<string> {
  const res = await gql(app, query, variables, auth);
  expect(res.status).toBeLessThan(500);
  expect(res.body.errors, JSON.stringify(res.body)).toHaveLength(1);
  const [error] = res.body.errors;
  expect(error.extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
  expect(JSON.stringify(res.body)).not.toMatch(/Internal Server Error|at .*\.js:\d+/);
  return error.message;
}

describe('wrong types and missing arguments', () => {
  it('refuses a number where a string is expected, inline and as a variable', async () => {
    expect(await refused(`mutation { twoFactorVerify(mfaToken: "t", code: 123456) { jwt } }`)).toMatch(
      /String cannot represent a non string value: 123456/
    );
    expect(await refused(`mutation($c: String!) { twoFactorVerify(mfaToken: "t", code: $c) { jwt } }`, { c: 123456 })).toMatch(
      /Variable "\$c" got invalid value 123456/
    );
    expect(await refused(`mutation($c: [TwoFAEntry]!) { confirm2FA(email: "a@b.c", token: "t", code: $c) { status } }`, { c: 'app' })).toMatch(
      /Variable "\$c" got invalid value "app"/
    );
    expect(await refused(`mutation { confirm2FA(email: "a@b.c", token: "t", code: [{ key: "app" }]) { status } }`)).toMatch(
      /Field "TwoFAEntry.value" of required type "String!" was not provided/
    );
  });

  it('names a missing argument', async () => {
    expect(await refused(`mutation { twoFactorVerify(mfaToken: "t") { jwt } }`)).toBe(
      'Field "twoFactorVerify" argument "code" of type "String!" is required, but it was not provided.'
    );
    expect(await refused(`mutation { verifyTwoFactor(email: "a@b.c", code: "1") { jwt } }`)).toMatch(/argument "password" of type "String!" is required/);
    expect(await refused(`mutation { request2FA(method: "app") }`, {}, jwt)).toMatch(/argument "email" of type "String!" is required/);
  });
});

describe('unknown methods', () => {
  it('lists the methods each operation takes, in its dialect’s names', async () => {
    expect(await refused(`mutation { twoFactorEnable(method: "fax") { secret } }`, {}, jwt)).toBe('method must be one of totp, email, sms, passkey');
    expect(await refused(`mutation { twoFactorConfirm(method: "app", code: "1") { enabled } }`, {}, jwt)).toBe(
      'method must be one of totp, email, sms, passkey'
    );
    expect(await refused(`mutation { twoFactorVerify(mfaToken: "${mfaToken}", code: "1", method: "app") { jwt } }`)).toBe(
      'method must be one of totp, email, sms, passkey, backup_code'
    );
    expect(await refused(`mutation { twoFactorDisable(code: "1", method: "fax") { enabled } }`, {}, jwt)).toBe(
      'method must be one of totp, email, sms, passkey'
    );
    expect(await refused(`mutation { request2FA(email: "input@example.com", method: "totp") }`, {}, jwt)).toBe(
      'method must be one of app, email, phone'
    );
    expect(await refused(`mutation { confirmRequest2FA(email: "input@example.com", method: "sms", code: "1") }`, {}, jwt)).toBe(
      'method must be one of app, email, phone'
    );
  });
});

describe('huge values', () => {
  it('answers a huge code as a wrong code, and a huge token or phone as too long', async () => {
    expect(await refused(`mutation($c: String!) { twoFactorVerify(mfaToken: "${mfaToken}", code: $c) { jwt } }`, { c: HUGE })).toBe(
      'Invalid two-factor code'
    );
    expect(await refused(`mutation($t: String!) { twoFactorVerify(mfaToken: $t, code: "123456") { jwt } }`, { t: HUGE })).toBe(
      'mfaToken is too long'
    );
    expect(await refused(`mutation($p: String) { twoFactorEnable(method: "sms", phone: $p) { message } }`, { p: HUGE }, jwt)).toBe(
      'phone is too long'
    );
    expect(await refused(`mutation($e: String!) { request2FA(email: $e, method: "app") }`, { e: HUGE }, jwt)).toBe(
      'The email is not the signed-in account'
    );
    expect(await refused(`mutation($m: String!) { twoFactorEnable(method: $m) { secret } }`, { m: HUGE }, jwt)).toBe(
      'method must be one of totp, email, sms, passkey'
    );
  });

  it('keeps the dialects’ own answers for huge credentials', async () => {
    const signin = await ok(app, `mutation($e: String!, $p: String!) { signin(email: $e, password: $p) { status token } }`, { e: HUGE, p: HUGE });
    expect(signin.signin).toEqual({ status: 'Failed', token: 'Invalid identifier or password' });
    const confirm = await ok(app, `mutation($v: String!) { confirm2FA(email: "input2fa@example.com", token: "${mfaToken}", code: [{ key: "app", value: $v }]) { status token } }`, { v: HUGE });
    expect(confirm.confirm2FA).toEqual({ status: 'Failed', token: '2FA code mismatch' });
    expect(await refused(`mutation($p: String!) { authenticate(email: "input@example.com", password: $p) { jwt } }`, { p: HUGE })).toBe(
      'Invalid identifier or password'
    );
  });

  it('refuses a body above the GraphQL endpoint’s limit before any resolver runs', async () => {
    const res = await gql(app, `mutation($c: String!) { twoFactorVerify(mfaToken: "t", code: $c) { jwt } }`, { c: 'x'.repeat(2_000_000) });
    expect(res.status).toBe(413);
  });
});

describe('credentials of the wrong kind', () => {
  it('refuses a pending token as a JWT (whole request) and a JWT as a pending token', async () => {
    const asJwt = await gql(app, `{ twoFactorStatus { enabled } }`, {}, mfaToken);
    expect(asJwt.status).toBe(401);
    expect(await refused(`mutation($t: String!) { twoFactorVerify(mfaToken: $t, code: "123456") { jwt } }`, { t: jwt })).toBe(
      'Invalid or expired two-factor session'
    );
  });
});
