import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createRequire } from 'node:module';
import { startApp, type TestApp } from '../helpers/strapi';
import { documentedAnswer, operation, withValues } from '../fixtures/seeds/operations';
import { code, expectShape, fails, gql, LOGIN, ok, register } from './graphql-helpers';

/**
 * The Craft GraphQL Authentication dialect: the example operations of seeds 000 and 001 run
 * unchanged (only the literal code "123456" is replaced by a live one) and answer what the seeds
 * document; the same flows keep the same security properties. The app runs in users-permissions'
 * refresh mode, the mode that has every field the seeds show (refreshToken and its expiry).
 */
// users-permissions hashes passwords with bcryptjs (it has no types of its own).
const { hash } = createRequire(__filename)('bcryptjs') as { hash: (value: string, rounds: number) => Promise<string> };

let app: TestApp;
let james: { id: number; jwt: string };
let secret: string;

const EMAIL = 'james@testingthings.com';
const PASSWORD = 'testing123';

beforeAll(async () => {
  app = await startApp({ JWT_MANAGEMENT: 'refresh' });
  james = await register(app, EMAIL, PASSWORD, 'James Edmonston');
});
afterAll(async () => {
  await app?.stop();
});

const VERIFY_WITH_CODES = `mutation($email: String!, $password: String!, $code: String!) {
  verifyTwoFactor(email: $email, password: $password, code: $code) { jwt requiresTwoFactor backupCodes user { id fullName } }
}`;
const DISABLE = `mutation($password: String!, $confirm: String!, $code: String) {
  disableTwoFactor(password: $password, confirmPassword: $confirm, code: $code)
}`;

describe('seed 000 / 001, in order: enable, verify, authenticate', () => {
  it('TwoFactorEnabled answers false before enrolment, as documented', async () => {
    const res = await gql(app, operation('craft', 'TwoFactorEnabled'), {}, james.jwt);
    expect(res.body).toEqual(documentedAnswer('craft', 'TwoFactorEnabled'));
  });

  it('GenerateTwoFactorQrCode answers an SVG data URI; GenerateTwoFactorSecretCode the same pending secret', async () => {
    for (const seed of ['craft', 'craftPage'] as const) {
      const res = await gql(app, operation(seed, 'GenerateTwoFactorQrCode'), {}, james.jwt);
      expectShape(res.body, documentedAnswer(seed, 'GenerateTwoFactorQrCode'));
      const svg = Buffer.from(res.body.data.generateTwoFactorQrCode.replace(/^data:image\/svg\+xml;base64,/, ''), 'base64');
      expect(res.body.data.generateTwoFactorQrCode).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(svg.toString('utf8')).toContain('<svg');
    }
    const first = await gql(app, operation('craft', 'GenerateTwoFactorSecretCode'), {}, james.jwt);
    expectShape(first.body, documentedAnswer('craft', 'GenerateTwoFactorSecretCode'));
    secret = first.body.data.generateTwoFactorSecretCode;
    expect(secret).toMatch(/^[A-Z2-7]{32,}$/);
    const again = await gql(app, operation('craftPage', 'GenerateTwoFactorSecretCode'), {}, james.jwt);
    expect(again.body.data.generateTwoFactorSecretCode).toBe(secret);
  });

  it('VerifyTwoFactor refuses a wrong code and confirms the enrolment with a right one', async () => {
    const wrong = await fails(app, withValues(operation('craft', 'VerifyTwoFactor'), { code: '000000' }));
    expect(wrong.error.message).toBe('Invalid two-factor code');
    expect(wrong.res.body.data).toBeNull();
    expect((await ok(app, operation('craft', 'TwoFactorEnabled'), {}, james.jwt)).twoFactorEnabled).toBe(false);

    const res = await gql(app, withValues(operation('craft', 'VerifyTwoFactor'), { code: code(secret) }));
    expectShape(res.body, documentedAnswer('craft', 'VerifyTwoFactor'));
    const answer = res.body.data.verifyTwoFactor;
    expect(answer.user).toEqual({ id: String(james.id), fullName: 'James Edmonston' });
    const now = Date.now() / 1000;
    expect(answer.jwtExpiresAt).toBeGreaterThan(now);
    expect(answer.refreshTokenExpiresAt).toBeGreaterThan(answer.jwtExpiresAt);
    expect(answer.refreshTokenExpiresAt).toBeLessThan(now + 366 * 86400);
    expect((await ok(app, `{ me { email } }`, {}, answer.jwt)).me.email).toBe(EMAIL);
  });

  it('TwoFactorEnabled then answers true', async () => {
    expect((await ok(app, operation('craft', 'TwoFactorEnabled'), {}, james.jwt)).twoFactorEnabled).toBe(true);
  });

  it('Authenticate answers every field null and requiresTwoFactor: true, exactly as documented', async () => {
    const res = await gql(app, operation('craft', 'Authenticate'));
    expect(res.body).toEqual(documentedAnswer('craft', 'Authenticate'));
    // The pending login stays on the server: no REST pending cookie on a GraphQL answer.
    expect(res.headers['set-cookie']).toBeUndefined();
    const page = await gql(app, operation('craftPage', 'Authenticate'));
    expect(page.body).toEqual(documentedAnswer('craftPage', 'Authenticate'));
  });

  it('VerifyTwoFactor (seed 001 text) logs in with the next code; the same code again is refused (replay)', async () => {
    const next = code(secret, 1);
    const res = await gql(app, withValues(operation('craftPage', 'VerifyTwoFactor'), { code: next }));
    expectShape(res.body, documentedAnswer('craftPage', 'VerifyTwoFactor'));
    expect(res.body.data.verifyTwoFactor.user.fullName).toBe('James Edmonston');

    const replay = await fails(app, withValues(operation('craft', 'VerifyTwoFactor'), { code: next }));
    expect(replay.error.message).toBe('Invalid two-factor code');
  });

  it('VerifyTwoFactor checks the password first, with users-permissions’ answer', async () => {
    const { error } = await fails(app, VERIFY_WITH_CODES, { email: EMAIL, password: 'wrong-password', code: code(secret, 1) });
    expect(error.message).toBe('Invalid identifier or password');
  });
});

describe('seed 001: DisableTwoFactor', () => {
  it('answers false, as documented, for an account without two-factor', async () => {
    // The seed's password is the literal "..."; this account has exactly that password.
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    await app.strapi.db.query('plugin::users-permissions.user').create({
      data: { username: 'dots', email: 'dots@example.com', provider: 'local', confirmed: true, blocked: false, role: role.id, password: await hash('...', 10) },
    });
    const { login } = await ok(app, LOGIN, { identifier: 'dots@example.com', password: '...' });
    const res = await gql(app, operation('craftPage', 'DisableTwoFactor'), {}, login.jwt);
    expect(res.body).toEqual(documentedAnswer('craftPage', 'DisableTwoFactor'));
  });

  it('with two-factor on, needs matching passwords, the right one, and a current code or a fresh session (L1)', async () => {
    const mismatch = await fails(app, DISABLE, { password: PASSWORD, confirm: 'other' }, james.jwt);
    expect(mismatch.error.message).toBe('Passwords do not match');
    const wrong = await fails(app, DISABLE, { password: 'nope-nope', confirm: 'nope-nope' }, james.jwt);
    expect(wrong.error.message).toBe('The password is not correct');
    const noCode = await fails(app, operation('craftPage', 'DisableTwoFactor').replace(/"\.\.\."/g, JSON.stringify(PASSWORD)), {}, james.jwt);
    // James's JWT is from before 2FA was on: not a fresh session, so the seed's operation needs a code.
    expect(noCode.error.message).toMatch(/give `code`/);
    expect(noCode.error.extensions.details.code).toBe('STEP_UP_REQUIRED');
    const badCode = await fails(app, DISABLE, { password: PASSWORD, confirm: PASSWORD, code: '000000' }, james.jwt);
    expect(badCode.error.message).toBe('Invalid two-factor code');
    expect((await ok(app, operation('craft', 'TwoFactorEnabled'), {}, james.jwt)).twoFactorEnabled).toBe(true);

    // A backup code is a current second factor too (James's TOTP steps are spent by now).
    const data = await ok(app, DISABLE, { password: PASSWORD, confirm: PASSWORD, code: await freshBackupCode() }, james.jwt);
    expect(data.disableTwoFactor).toBe(false);
    expect((await ok(app, operation('craft', 'TwoFactorEnabled'), {}, james.jwt)).twoFactorEnabled).toBe(false);
  });
});

/** One of James's backup codes: the seed's VerifyTwoFactor does not select the ones it gave. */
async function freshBackupCode(): Promise<string> {
  const codes = await (app.strapi.plugin('two-factor').service('backupCodes') as any).regenerate(james.id);
  return codes[0];
}

describe('first enrolment through verifyTwoFactor, and plain accounts', () => {
  it('gives the backup codes once, with the confirmation', async () => {
    const { jwt } = await register(app, 'first@example.com', PASSWORD);
    const secretCode = (await ok(app, `mutation { generateTwoFactorSecretCode }`, {}, jwt)).generateTwoFactorSecretCode;
    const { verifyTwoFactor } = await ok(app, VERIFY_WITH_CODES, { email: 'first@example.com', password: PASSWORD, code: code(secretCode) });
    expect(verifyTwoFactor.requiresTwoFactor).toBe(false);
    expect(verifyTwoFactor.backupCodes).toHaveLength(10);
    expect(verifyTwoFactor.user.fullName).toBe('first');

    // Logging in later gives no codes again, and a backup code is a valid second factor.
    const later = await ok(app, VERIFY_WITH_CODES, { email: 'first@example.com', password: PASSWORD, code: verifyTwoFactor.backupCodes[0] });
    expect(later.verifyTwoFactor.backupCodes).toBeNull();
    expect(later.verifyTwoFactor.jwt).toBeTruthy();
  });

  it('VerifyTwoFactor without a pending enrolment says so', async () => {
    await register(app, 'none@example.com', PASSWORD);
    const { error } = await fails(app, VERIFY_WITH_CODES, { email: 'none@example.com', password: PASSWORD, code: '123456' });
    expect(error.message).toMatch(/No pending Authenticator app enrolment/);
  });

  it('authenticate logs a plain account in, requiresTwoFactor false', async () => {
    await register(app, 'plaincraft@example.com', PASSWORD);
    const { authenticate } = await ok(
      app,
      `mutation { authenticate(email: "plaincraft@example.com", password: "${PASSWORD}") { jwt jwtExpiresAt user { fullName } requiresTwoFactor } }`
    );
    expect(authenticate).toMatchObject({ jwt: expect.any(String), jwtExpiresAt: expect.any(Number), requiresTwoFactor: false });
    expect(authenticate.user.fullName).toBe('plaincraft');
  });
});

describe('auth rules under Roles', () => {
  it('needs a JWT for the QR code, the secret, the status and disabling', async () => {
    for (const name of ['GenerateTwoFactorQrCode', 'GenerateTwoFactorSecretCode', 'TwoFactorEnabled']) {
      const { error } = await fails(app, operation('craft', name));
      expect(error.extensions.code).toBe('FORBIDDEN');
    }
    expect((await fails(app, operation('craftPage', 'DisableTwoFactor'))).error.extensions.code).toBe('FORBIDDEN');
  });

  it('follows the Authenticated role’s permissions: without manage.enable, no QR code', async () => {
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    const where = { action: 'plugin::two-factor.manage.enable', role: role.id };
    const permissions = app.strapi.db.query('plugin::users-permissions.permission');
    expect(await permissions.count({ where })).toBe(1);
    await permissions.deleteMany({ where });
    try {
      const { error } = await fails(app, operation('craft', 'GenerateTwoFactorQrCode'), {}, james.jwt);
      expect(error.extensions.code).toBe('FORBIDDEN');
    } finally {
      await permissions.create({ data: where });
    }
    expect((await ok(app, operation('craft', 'GenerateTwoFactorQrCode'), {}, james.jwt)).generateTwoFactorQrCode).toMatch(/^data:image\/svg/);
  });
});
