import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { documentedAnswer, operation, withValues } from '../fixtures/seeds/operations';
import { code, expectShape, fails, gql, ok, register } from './graphql-helpers';

/**
 * The NYYU dialect: the example operations of seeds 002 and 003 run unchanged (only the literal
 * "123456" and "temp_token_from_signin" become the live code and pending token) and answer the
 * documented shapes and messages; method names app/email/phone map to the plugin's.
 */
let app: TestApp;
let demo: { id: number; jwt: string };
let secret: string;

const EMAIL = 'demouser@nyyu.io';
const PASSWORD = 'Password123!';

beforeAll(async () => {
  app = await startApp();
  demo = await register(app, EMAIL, PASSWORD, 'demouser');
});
afterAll(async () => {
  await app?.stop();
});

const SIGNIN = `mutation($email: String!, $password: String!) { signin(email: $email, password: $password) { status token } }`;
const REQUEST = `mutation($email: String!, $method: String!, $phone: String, $token: String) {
  request2FA(email: $email, method: $method, phone: $phone, token: $token)
}`;
const CONFIRM_REQUEST = `mutation($email: String!, $method: String!, $code: String!, $token: String) {
  confirmRequest2FA(email: $email, method: $method, code: $code, token: $token)
}`;
const CONFIRM = `mutation($email: String!, $token: String!, $code: [TwoFAEntry]!) {
  confirm2FA(email: $email, token: $token, code: $code) { status token }
}`;
const SECRET = `mutation { generateTwoFactorSecretCode }`;

const signin = async (email = EMAIL, password = PASSWORD) => (await ok(app, SIGNIN, { email, password })).signin;

/** REST's answer to the same enrolment, as GraphQL would word it: the message, or the error's. */
async function restEnable(jwt: string, body: Record<string, unknown>) {
  const res = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${jwt}`).send(body);
  return res.status === 200 ? { message: res.body.message } : { error: res.body.error.message };
}

describe('signin', () => {
  it('answers Success and a working JWT for an account without two-factor', async () => {
    const credentials = await signin();
    expect(credentials.status).toBe('Success');
    expect((await ok(app, `{ me { email } }`, {}, credentials.token)).me.email).toBe(EMAIL);
  });

  it('answers Failed with users-permissions’ reason, the same for an unknown account (no enumeration)', async () => {
    expect(await signin(EMAIL, 'wrong-password')).toEqual({ status: 'Failed', token: 'Invalid identifier or password' });
    expect(await signin('nobody@nyyu.io', 'wrong-password')).toEqual({ status: 'Failed', token: 'Invalid identifier or password' });
  });
});

describe('seed 002: request2FA', () => {
  it('Setup2FA_Email and Setup2FA_Phone answer exactly what REST’s enrolment answers for the same account state', async () => {
    const twin = await register(app, 'twin@nyyu.io', PASSWORD, 'twin');
    for (const [name, rest] of [
      ['Setup2FA_Email', { method: 'email' }],
      ['Setup2FA_Phone', { method: 'sms', phone: '+14155551234' }],
    ] as const) {
      const expected = await restEnable(twin.jwt, rest);
      const res = await gql(app, operation('nyyuRequest', name), {}, demo.jwt);
      if ('message' in expected) {
        expect(res.body).toEqual(documentedAnswer('nyyuRequest', name));
      } else {
        expect(res.body.errors?.[0]?.message).toBe(expected.error);
        expect(res.body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
      }
    }
  });

  it('answers an unverified account as REST does (seed: "Not verified" once email codes exist)', async () => {
    const user = await register(app, 'unverified@nyyu.io', PASSWORD, 'unverified');
    const twin = await register(app, 'unverified-twin@nyyu.io', PASSWORD, 'unverifiedtwin');
    await app.strapi.db.query('plugin::users-permissions.user').updateMany({ where: { id: { $in: [user.id, twin.id] } }, data: { confirmed: false } });
    const expected = await restEnable(twin.jwt, { method: 'email' });
    const res = await gql(app, REQUEST, { email: 'unverified@nyyu.io', method: 'email' }, user.jwt);
    if ('message' in expected) expect(res.body.data.request2FA).toBe(expected.message);
    else expect(res.body.errors[0].message).toBe(expected.error);
  });

  it('Setup2FA_App answers a PNG QR code; the pending secret is the Craft dialect’s too', async () => {
    const res = await gql(app, operation('nyyuRequest', 'Setup2FA_App'), {}, demo.jwt);
    expectShape(res.body, documentedAnswer('nyyuRequest', 'Setup2FA_App'));
    expect(res.body.data.request2FA).toMatch(/^data:image\/png;base64,iVBOR/);
    secret = (await ok(app, SECRET, {}, demo.jwt)).generateTwoFactorSecretCode;
  });

  it('refuses another account’s email, no credential, and unknown methods', async () => {
    const other = await fails(app, REQUEST, { email: 'twin@nyyu.io', method: 'app' }, demo.jwt);
    expect(other.error.message).toBe('The email is not the signed-in account');
    const anonymous = await fails(app, REQUEST, { email: EMAIL, method: 'app' });
    expect(anonymous.error.message).toBe('Authentication required');
    for (const method of ['totp', 'sms', 'fax', '']) {
      const { error } = await fails(app, REQUEST, { email: EMAIL, method }, demo.jwt);
      expect(error.message).toBe('method must be one of app, email, phone');
      expect(error.extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('confirmRequest2FA answers "2FA code mismatch" for a wrong code, then "Success"', async () => {
    const wrong = await fails(app, CONFIRM_REQUEST, { email: EMAIL, method: 'app', code: '000000' }, demo.jwt);
    expect(wrong.error.message).toBe('2FA code mismatch');
    const right = await ok(app, CONFIRM_REQUEST, { email: EMAIL, method: 'app', code: code(secret) }, demo.jwt);
    expect(right.confirmRequest2FA).toBe('Success');
    expect((await ok(app, `{ twoFactorStatus { methods } }`, {}, demo.jwt)).twoFactorStatus.methods).toEqual(['totp']);
  });
});

describe('seed 003: signin then confirm2FA', () => {
  it('signin answers status 2FA with a pending token, no JWT and no REST pending cookie', async () => {
    const res = await gql(app, SIGNIN, { email: EMAIL, password: PASSWORD });
    expect(res.headers['set-cookie']).toBeUndefined();
    const credentials = res.body.data.signin;
    expect(credentials.status).toBe('2FA');
    const asJwt = await gql(app, `{ me { email } }`, {}, credentials.token);
    expect(asJwt.status).toBe(401);
  });

  it('Verify2FA answers Failed / "2FA code mismatch" for a wrong code', async () => {
    const { token } = await signin();
    const res = await gql(app, withValues(operation('nyyuConfirm', 'Verify2FA'), { token, code: '000000' }));
    expect(res.body).toEqual({ data: { confirm2FA: { status: 'Failed', token: '2FA code mismatch' } } });
  });

  it('Verify2FA answers Success with a working JWT, once; the token is then "Password expired"', async () => {
    const { token } = await signin();
    const op = withValues(operation('nyyuConfirm', 'Verify2FA'), { token, code: code(secret, 1) });
    const res = await gql(app, op);
    expectShape(res.body, documentedAnswer('nyyuConfirm', 'Verify2FA'));
    expect(res.body.data.confirm2FA.status).toBe('Success');
    expect((await ok(app, `{ me { email } }`, {}, res.body.data.confirm2FA.token)).me.email).toBe(EMAIL);

    const replay = await gql(app, op);
    expect(replay.body).toEqual({ data: { confirm2FA: { status: 'Failed', token: 'Password expired' } } });
  });

  it('answers "Password expired" for an unknown token and for another account’s email', async () => {
    const unknown = await ok(app, CONFIRM, { email: EMAIL, token: 'temp_token_from_signin', code: [{ key: 'app', value: '123456' }] });
    expect(unknown.confirm2FA).toEqual({ status: 'Failed', token: 'Password expired' });
    const { token } = await signin();
    const other = await ok(app, CONFIRM, { email: 'twin@nyyu.io', token, code: [{ key: 'app', value: '123456' }] });
    expect(other.confirm2FA).toEqual({ status: 'Failed', token: 'Password expired' });
  });

  it('needs every entry to verify: a right backup code with a wrong app code fails', async () => {
    const backupCodes: string[] = await (app.strapi.plugin('two-factor').service('backupCodes') as any).regenerate(demo.id);
    const { token } = await signin();
    const mixed = await ok(app, CONFIRM, {
      email: EMAIL,
      token,
      code: [
        { key: 'backup_code', value: backupCodes[0] },
        { key: 'app', value: '000000' },
      ],
    });
    expect(mixed.confirm2FA).toEqual({ status: 'Failed', token: '2FA code mismatch' });
    const single = await ok(app, CONFIRM, { email: EMAIL, token, code: [{ key: 'backup_code', value: backupCodes[1] }] });
    expect(single.confirm2FA.status).toBe('Success');
  });

  it('of parallel confirm2FA with one pending token, each with a right code, exactly one signs in', async () => {
    const backupCodes: string[] = await (app.strapi.plugin('two-factor').service('backupCodes') as any).regenerate(demo.id);
    const { token } = await signin();
    const answers = await Promise.all(
      backupCodes.slice(0, 8).map((value) => ok(app, CONFIRM, { email: EMAIL, token, code: [{ key: 'backup_code', value }] }))
    );
    const credentials = answers.map((answer) => answer.confirm2FA);
    expect(credentials.filter((c) => c.status === 'Success')).toHaveLength(1);
    expect(credentials.filter((c) => c.status !== 'Success')).toEqual(Array(7).fill({ status: 'Failed', token: 'Password expired' }));
  });

  it('refuses an empty list, null entries, unknown keys and oversized lists with clear errors', async () => {
    const { token } = await signin();
    const cases: [unknown, string][] = [
      [[], 'At least one two-factor code is required'],
      [[null], 'code[0] must be an entry { key, value }'],
      [[{ key: 'sms', value: '123456' }], 'code[0].key must be one of app, email, phone, backup_code'],
      [Array.from({ length: 5 }, () => ({ key: 'app', value: '123456' })), 'code takes at most 4 entries'],
    ];
    for (const [list, message] of cases) {
      const { error } = await fails(app, CONFIRM, { email: EMAIL, token, code: list });
      expect(error.message).toBe(message);
    }
  });
});

describe('a setup-required account (enforced role) through the NYYU operations', () => {
  it('signin gives the setup token; request2FA and confirmRequest2FA take it; then the usual login', async () => {
    const settings = app.strapi.plugin('two-factor').service('settings') as any;
    const before = await settings.get();
    // Registered before the role is enforced: registering after it answers setup-required too (J6).
    const user = await register(app, 'enforced@nyyu.io', PASSWORD, 'enforced');
    await settings.update({ ...before, enforcedRoles: ['authenticated'] });
    try {
      const { status, token } = await signin('enforced@nyyu.io');
      expect(status).toBe('2FA');
      // A setup token opens no login.
      expect((await ok(app, CONFIRM, { email: 'enforced@nyyu.io', token, code: [{ key: 'app', value: '123456' }] })).confirm2FA).toEqual({
        status: 'Failed',
        token: 'Password expired',
      });

      const qr = await ok(app, REQUEST, { email: 'enforced@nyyu.io', method: 'app', token });
      expect(qr.request2FA).toMatch(/^data:image\/png;base64,/);
      // The QR code is an image: the secret it shows is read from the pending enrolment.
      const secret: string = await (app.strapi.plugin('two-factor').service('factors') as any).pendingTotpSecret(user.id);
      const done = await ok(app, CONFIRM_REQUEST, { email: 'enforced@nyyu.io', method: 'app', code: code(secret), token });
      expect(done.confirmRequest2FA).toBe('Success');

      const next = await signin('enforced@nyyu.io');
      expect(next.status).toBe('2FA');
      const login = await ok(app, CONFIRM, { email: 'enforced@nyyu.io', token: next.token, code: [{ key: 'app', value: code(secret, 1) }] });
      expect(login.confirm2FA.status).toBe('Success');
    } finally {
      await settings.update(before);
    }
  });
});
