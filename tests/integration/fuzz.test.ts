import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { startApp, type TestApp } from '../helpers/strapi';
import { enrolTotp, pendingLogin, registerUser, type TestUser } from '../helpers/flows';
import { totpCode } from '../../server/src/core';

/**
 * Generated garbage at every REST route and GraphQL operation of the plugin (fixed seed, a few
 * thousand cases): never a 5xx or an internal error, never a stack trace or a secret, and no
 * change to anyone's confirmed factors or backup codes.
 */
const SEED = 20261126;
const RUNS = Number(process.env.FUZZ_RUNS || 1500);

let app: TestApp;
let victim: TestUser;
let plain: TestUser;
let secrets: string[] = [];
let mfaToken: string;

const POSTED = [
  '/api/auth/local',
  '/api/two-factor/verify',
  '/api/two-factor/send',
  '/api/two-factor/enable',
  '/api/two-factor/confirm',
  '/api/two-factor/backup-codes',
  '/api/two-factor/disable',
  '/api/authentication/local',
  '/api/authentication/twoFa/verify',
  '/api/authentication/twoFa/enable',
  '/api/authentication/twoFa/confirm',
  '/api/authentication/twoFa/backup-codes',
  '/api/authentication/twoFa/disable',
  '/api/two-factor/step-up',
];
/** Every route as [method, path]; a device id in a path is fuzzed too. */
const REST: [string, string][] = [
  ...POSTED.map((path): [string, string] => ['post', path]),
  ['get', '/api/two-factor/devices'],
  ['delete', '/api/two-factor/devices'],
  ['delete', '/api/two-factor/devices/:id'],
];

const GRAPHQL = [
  'mutation($input: UsersPermissionsLoginInput!) { login(input: $input) { jwt } }',
  'query { twoFactorStatus { enabled methods backupCodesRemaining } }',
  'mutation($a: String!, $b: String!, $c: String, $d: Boolean) { twoFactorVerify(mfaToken: $a, code: $b, method: $c, trustDevice: $d) { jwt deviceToken } }',
  'mutation($a: String!, $b: String) { twoFactorStepUp(code: $a, method: $b) { freshUntil } }',
  'query { twoFactorDevices { id label current } }',
  'mutation($a: ID!) { twoFactorRevokeDevice(id: $a) }',
  'mutation($a: String) { twoFactorRevokeDevices(code: $a) }',
  'mutation($a: String!, $b: String!) { twoFactorSend(mfaToken: $a, method: $b) }',
  'mutation($a: String!, $b: String, $c: String) { twoFactorEnable(method: $a, phone: $b, mfaToken: $c) { secret message } }',
  'mutation($a: String!, $b: String!, $c: String) { twoFactorConfirm(method: $a, code: $b, mfaToken: $c) { enabled } }',
  'mutation($a: String!) { twoFactorBackupCodes(code: $a) }',
  'mutation($a: String!, $b: String) { twoFactorDisable(code: $a, method: $b) { enabled } }',
  'query { twoFactorEnabled }',
  'mutation { generateTwoFactorQrCode }',
  'mutation { generateTwoFactorSecretCode }',
  'mutation($a: String!, $b: String!, $c: String!) { verifyTwoFactor(email: $a, password: $b, code: $c) { jwt requiresTwoFactor } }',
  'mutation($a: String!, $b: String!) { authenticate(email: $a, password: $b) { jwt requiresTwoFactor } }',
  'mutation($a: String!, $b: String!, $c: String) { disableTwoFactor(password: $a, confirmPassword: $b, code: $c) }',
  'mutation($a: String!, $b: String!, $c: String, $d: String) { request2FA(email: $a, method: $b, phone: $c, token: $d) }',
  'mutation($a: String!, $b: String!, $c: String!, $d: String) { confirmRequest2FA(email: $a, method: $b, code: $c, token: $d) }',
  'mutation($a: String!, $b: String!) { signin(email: $a, password: $b) { status token } }',
  'mutation($a: String!, $b: String!, $c: [TwoFAEntry]!) { confirm2FA(email: $a, token: $b, code: $c) { status token } }',
];

beforeAll(async () => {
  app = await startApp();
  app.logs.expect(/^invalid JSON, only supports object and array/); // Strapi's body parser logs each malformed JSON body it refuses (400)
  victim = await registerUser(app, 'victim');
  const { secret, backupCodes } = await enrolTotp(app, victim);
  secrets = [secret, ...backupCodes, ...backupCodes.map((c) => c.replace(/-/g, ''))];
  plain = await registerUser(app, 'plain');
  mfaToken = await pendingLogin(app, victim);
  // A remembered device of the victim's, that nothing generated may revoke.
  const settings = app.strapi.plugin('two-factor').service('settings');
  await settings.update({ ...(await settings.get()), trustedDevices: { enabled: true, days: 30 } });
  const trusted = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, victim), code: totpCode(secret), trustDevice: true });
  expect(trusted.body.deviceToken).toEqual(expect.any(String));
  secrets.push(trusted.body.deviceToken);
  // No session starts fresh (a JWT of the same second as that verify's would be it): every
  // sensitive change below must need a code the fuzzer does not have.
  await app.strapi.db.query('plugin::two-factor.challenge').deleteMany({ where: { purpose: 'fresh' } });
  const [row] = await app.strapi.db.connection('up_users').where('id', victim.id);
  secrets.push(row.password, process.env.TWO_FACTOR_ENCRYPTION_KEY!);
});
afterAll(async () => {
  await app?.stop();
});

/** The state nothing here may change: confirmed factors and backup codes, per user. */
const protectedState = async () => {
  const knex = app.strapi.db.connection;
  const factors = await knex('two_factor_factors').whereNotNull('confirmed_at').select('id', 'user_id', 'method', 'secret').orderBy('id');
  const codes = await knex('two_factor_backup_codes').select('id', 'user_id', 'hash', 'used_at').orderBy('id');
  const devices = await knex('two_factor_devices').select('id', 'user_id', 'token_hash').orderBy('id');
  return JSON.stringify({ factors, codes, devices });
};

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.stringMatching(/^[0-9]{6}$/),
  fc.stringMatching(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/),
  fc.constantFrom('totp', 'email', 'sms', 'backup_code', 'app', 'phone', '', ' ', '__proto__', 'constructor'),
  fc.nat({ max: 40_000 }).map((n) => 'x'.repeat(n)),
  fc.string().map((s) => `eyJhbGciOiJub25lIn0.${Buffer.from(s).toString('base64url')}.`)
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, [], {}) }
);
const fields = ['code', 'method', 'mfaToken', 'phone', 'identifier', 'email', 'password', 'token', 'input', 'trustDevice', 'deviceToken', 'a', 'b', 'c', 'd'];
/** Headers a request may carry: a remembered device's token and a step-up code, fuzzed. */
const extraHeaders = fc.dictionary(fc.constantFrom('X-Two-Factor-Device', 'X-Two-Factor-Code', 'X-Two-Factor-Method'), fc.string({ maxLength: 80 }), {
  maxKeys: 3,
});
const body = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 5 }) },
  { weight: 1, arbitrary: value }
);
const credential = fc.constantFrom<'none' | 'victim' | 'plain' | 'pending' | 'garbage'>('none', 'victim', 'plain', 'pending', 'garbage');

const authHeader = (who: string) =>
  who === 'victim' ? `Bearer ${victim.jwt}` : who === 'plain' ? `Bearer ${plain.jwt}` : who === 'pending' ? `Bearer ${mfaToken}` : who === 'garbage' ? 'Bearer x.y.z' : undefined;

const checkAnswer = (status: number, raw: string, label: string) => {
  expect(status, label).toBeLessThan(500);
  expect(raw, label).not.toMatch(/INTERNAL_SERVER_ERROR|Internal Server Error|\n\s+at .+:\d+:\d+/);
  for (const secret of secrets) expect(raw.includes(secret), `${label} leaks a secret`).toBe(false);
};

describe('fuzzing every route and operation', () => {
  it(`REST: ${RUNS} generated requests`, async () => {
    const before = await protectedState();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REST), body, credential, extraHeaders, text, async ([method, route], payload, who, headers, id) => {
        const path = route.replace(':id', encodeURIComponent(id.slice(0, 200)) || '0');
        let req = (app.http() as any)[method](path);
        const auth = authHeader(who);
        if (auth) req = req.set('Authorization', auth);
        for (const [name, header] of Object.entries(headers)) req = req.set(name, header.replace(/[^\x20-\x7e]/g, ''));
        const isObject = typeof payload === 'object' && payload !== null;
        const res = await (isObject ? req.send(payload as object) : req.set('Content-Type', 'application/json').send(JSON.stringify(payload) ?? 'null'));
        checkAnswer(res.status, res.text, `${method} ${path} ${JSON.stringify(payload)?.slice(0, 120)}`);
      }),
      { seed: SEED, numRuns: RUNS }
    );
    expect(await protectedState()).toBe(before);
  });

  it(`GraphQL: ${RUNS} generated operations`, async () => {
    const before = await protectedState();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GRAPHQL),
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'input'), value, { maxKeys: 5 }),
        credential,
        async (query, variables, who) => {
          let req = app.http().post('/graphql');
          const auth = authHeader(who);
          if (auth) req = req.set('Authorization', auth);
          const res = await req.send({ query, variables });
          checkAnswer(res.status, res.text, `${query.slice(0, 60)} ${JSON.stringify(variables).slice(0, 120)}`);
        }
      ),
      { seed: SEED, numRuns: RUNS }
    );
    // Malformed documents too.
    for (const query of ['{', 'mutation { twoFactorVerify }', 'query { __schema { types { name } } }'.repeat(50), '']) {
      const res = await app.http().post('/graphql').send({ query });
      checkAnswer(res.status, res.text, query.slice(0, 40));
    }
    expect(await protectedState()).toBe(before);
  });
});
