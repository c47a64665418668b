import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { PASSWORD, registerUser } from '../helpers/flows';
import { PASSKEY_ENV, authenticator, enablePasskeys } from '../helpers/passkey-flows';
import { LOGIN, fails, ok } from './graphql-helpers';

/**
 * The Strapi-native GraphQL operations for passkeys (docs/graphql.md): registration, the
 * second factor of `login`, passwordless sign-in, and the caller's list, rename and remove,
 * over the same services as REST.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp(PASSKEY_ENV);
  await enablePasskeys(app, { passwordless: true });
});
afterAll(async () => {
  await app?.stop();
});

const OPTIONS = 'mutation($code: String) { twoFactorPasskeyOptions(code: $code) }';
const ADD = /* GraphQL */ `
  mutation($response: JSON!, $name: String) {
    twoFactorAddPasskey(response: $response, name: $name) {
      passkey { id name createdAt lastUsedAt transports backedUp deviceType }
      enabled methods backupCodes jwt
    }
  }
`;
const CHALLENGE = 'mutation($t: String!) { twoFactorPasskeyChallenge(mfaToken: $t) }';
const VERIFY = 'mutation($t: String!, $r: JSON!) { twoFactorVerifyPasskey(mfaToken: $t, response: $r) { jwt user { id email } } }';
const LIST = '{ twoFactorPasskeys { id name lastUsedAt } }';

describe('GraphQL native passkey operations', () => {
  it('register, sign in as the second factor of login, list, rename, remove', async () => {
    const user = await registerUser(app, 'gqlpk');
    const device = authenticator();
    const { twoFactorPasskeyOptions: options } = await ok(app, OPTIONS, {}, user.jwt);
    expect(options.rp.id).toBe('localhost');
    const { twoFactorAddPasskey: added } = await ok(app, ADD, { response: device.register(options).response, name: 'Laptop' }, user.jwt);
    expect(added).toEqual(
      expect.objectContaining({ enabled: true, methods: ['passkey'], jwt: null, passkey: expect.objectContaining({ name: 'Laptop', deviceType: 'singleDevice' }) })
    );
    expect(added.backupCodes).toHaveLength(10);

    // A legacy JWT is { id, iat, exp }: the next second's login token differs from the registration's.
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
    const { error } = await fails(app, LOGIN, { identifier: user.email, password: PASSWORD });
    expect(error.extensions.code).toBe('TWO_FACTOR_REQUIRED');
    expect(error.extensions.methods).toEqual(['passkey', 'backup_code']);
    const mfaToken = error.extensions.mfaToken as string;
    const { twoFactorPasskeyChallenge: challenge } = await ok(app, CHALLENGE, { t: mfaToken });
    const assertion = device.assert(challenge);
    const { twoFactorVerifyPasskey: login } = await ok(app, VERIFY, { t: mfaToken, r: assertion });
    expect(login.jwt).toEqual(expect.any(String));
    expect(login.user.email).toBe(user.email);
    // Replayed: the pending login is spent.
    const replay = await fails(app, VERIFY, { t: mfaToken, r: assertion });
    expect(replay.error.extensions.error.details.code).toBe('PENDING_EXPIRED');

    const { twoFactorPasskeys: list } = await ok(app, LIST, {}, login.jwt);
    expect(list).toEqual([{ id: String(added.passkey.id), name: 'Laptop', lastUsedAt: expect.any(String) }]);
    const { twoFactorRenamePasskey: renamed } = await ok(
      app,
      'mutation($id: ID!) { twoFactorRenamePasskey(id: $id, name: "Work") { id name } }',
      { id: added.passkey.id },
      login.jwt
    );
    expect(renamed.name).toBe('Work');
    // Another user's id is not found.
    const other = await registerUser(app, 'gqlother');
    const stolen = await fails(app, 'mutation($id: ID!) { twoFactorRenamePasskey(id: $id, name: "x") { id } }', { id: added.passkey.id }, other.jwt);
    expect(stolen.error.extensions.error.details.code).toBe('PASSKEY_NOT_FOUND');
    // A stale JWT cannot remove it; the fresh one of the verify can.
    const stale = await fails(app, 'mutation($id: ID!) { twoFactorRemovePasskey(id: $id) { enabled } }', { id: added.passkey.id }, user.jwt);
    expect(stale.error.extensions.error.details.code).toBe('STEP_UP_REQUIRED');
    const { twoFactorRemovePasskey: status } = await ok(
      app,
      'mutation($id: ID!) { twoFactorRemovePasskey(id: $id, code: $code) { enabled methods } }'.replace('code: $code', `code: "${added.backupCodes[0]}"`),
      { id: added.passkey.id },
      user.jwt
    );
    expect(status).toEqual({ enabled: false, methods: [] });
  });

  it('a wrong assertion is a refused code, never an internal error', async () => {
    const user = await registerUser(app, 'gqlbad');
    const device = authenticator();
    const { twoFactorPasskeyOptions: options } = await ok(app, OPTIONS, {}, user.jwt);
    await ok(app, ADD, { response: device.register(options).response }, user.jwt);
    const { error } = await fails(app, LOGIN, { identifier: user.email, password: PASSWORD });
    const mfaToken = error.extensions.mfaToken as string;
    const { twoFactorPasskeyChallenge: challenge } = await ok(app, CHALLENGE, { t: mfaToken });
    for (const response of [{}, { id: 'x' }, device.assert(challenge, undefined, { origin: 'https://evil.example' })]) {
      const refused = await fails(app, VERIFY, { t: mfaToken, r: response });
      expect(refused.error.extensions.error.details.code).toBe('INVALID_CODE');
    }
    const malformed = await fails(app, VERIFY, { t: mfaToken, r: 'text' });
    expect(malformed.error.extensions.error.details.code).toBe('INVALID_INPUT');
  });

  it('passwordless: options and sign-in answer the login payload', async () => {
    const user = await registerUser(app, 'gqlpwless');
    const device = authenticator();
    const { twoFactorPasskeyOptions: options } = await ok(app, OPTIONS, {}, user.jwt);
    await ok(app, ADD, { response: device.register(options).response }, user.jwt);
    const { twoFactorPasskeyLoginOptions: loginOptions } = await ok(app, 'mutation { twoFactorPasskeyLoginOptions }');
    expect(loginOptions.userVerification).toBe('required');
    const { twoFactorPasskeyLogin: login } = await ok(
      app,
      'mutation($r: JSON!) { twoFactorPasskeyLogin(response: $r) { jwt user { id email } } }',
      { r: device.assert(loginOptions, device.credentials[0]) }
    );
    expect(login.user).toEqual({ id: String(user.id), email: user.email });
    expect(login.jwt).toEqual(expect.any(String));
  });

  it('passwordless off: GraphQL refuses it as REST does, before any ceremony', async () => {
    await enablePasskeys(app, { passwordless: false });
    try {
      const rest = await app.http().post('/api/two-factor/passkeys/login/options').send({});
      expect(rest.status).toBe(403);
      expect(rest.body.error.details).toEqual({ code: 'PASSWORDLESS_OFF' });
      const { error } = await fails(app, 'mutation { twoFactorPasskeyLoginOptions }');
      expect(error.extensions.code).toBe('FORBIDDEN');
      expect(error.extensions.error.details).toEqual({ code: 'PASSWORDLESS_OFF' });
      expect(error.message).toBe(rest.body.error.message);
    } finally {
      await enablePasskeys(app, { passwordless: true });
    }
  });

  it('the list needs a JWT', async () => {
    const res = await fails(app, LIST);
    expect(res.error.extensions.code).toBe('FORBIDDEN');
  });
});
