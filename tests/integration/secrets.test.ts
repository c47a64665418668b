import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import path from 'node:path';
import { APP_DIR, startApp, type TestApp } from '../helpers/strapi';
import { codeAt, registerUser, PASSWORD } from '../helpers/flows';

/**
 * docs/security.md T6, O3, L4: a full run of flows, every response body and every server log line
 * captured, then scanned for TOTP secrets, codes, hashes, pending tokens, device tokens and
 * fresh-session marks outside the answers meant to carry them.
 */
let app: TestApp;
const logs: string[] = [];
const answers: Array<{ label: string; text: string }> = [];

beforeAll(async () => {
  app = await startApp({ LOG_LEVEL: 'debug' });
  const winston = createRequire(path.join(APP_DIR, 'package.json'))('winston');
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  app.strapi.log.add(new winston.transports.Stream({ stream: sink, level: 'silly' }));
});
afterAll(async () => {
  await app?.stop();
});

const record = async (label: string, request: Promise<{ status: number; text: string; body: any; headers: any }>) => {
  const res = await request;
  answers.push({ label, text: `${JSON.stringify(res.headers)}\n${res.text}` });
  return res;
};

describe('secrets stay secret', () => {
  it('appear only in the answers meant to carry them, and never in the server log', async () => {
    const user = await registerUser(app);
    const auth = { Authorization: `Bearer ${user.jwt}` };
    const enable = await record('enable', app.http().post('/api/two-factor/enable').set(auth).send({ method: 'totp' }));
    const secret: string = enable.body.secret;
    const codes = [codeAt(secret, -1), codeAt(secret), codeAt(secret, 1)];
    const confirm = await record('confirm', app.http().post('/api/two-factor/confirm').set(auth).send({ method: 'totp', code: codes[0] }));
    const backupCodes: string[] = confirm.body.backupCodes;
    await record('status', app.http().get('/api/two-factor/status').set(auth));

    const settings = app.strapi.plugin('two-factor').service('settings');
    await settings.update({ ...(await settings.get()), trustedDevices: { enabled: true, days: 30 } });
    const login = await record('login', app.http().post('/api/auth/local').send({ identifier: user.email, password: PASSWORD }));
    const mfaToken: string = login.body.mfaToken;
    await record('wrong code', app.http().post('/api/two-factor/verify').send({ mfaToken, code: '000000' }));
    const verified = await record('verify', app.http().post('/api/two-factor/verify').send({ mfaToken, code: codes[1], trustDevice: true }));
    const deviceToken: string = verified.body.deviceToken;
    const device = { 'X-Two-Factor-Device': deviceToken };
    await record('device login', app.http().post('/api/auth/local').set(device).send({ identifier: user.email, password: PASSWORD }));
    await record('device list', app.http().get('/api/two-factor/devices').set(auth).set(device));
    await record('replay', app.http().post('/api/two-factor/verify').send({ mfaToken, code: codes[1] }));

    const gqlLogin = await record(
      'graphql login',
      app.http().post('/graphql').send({ query: 'mutation($i: UsersPermissionsLoginInput!) { login(input: $i) { jwt } }', variables: { i: { identifier: user.email, password: PASSWORD } } })
    );
    const gqlToken: string = gqlLogin.body.errors[0].extensions.mfaToken;
    await record(
      'graphql verify',
      app.http().post('/graphql').send({ query: 'mutation($t: String!, $c: String!) { twoFactorVerify(mfaToken: $t, code: $c) { jwt } }', variables: { t: gqlToken, c: backupCodes[0] } })
    );
    const regenerate = await record('regenerate', app.http().post('/api/two-factor/backup-codes').set(auth).send({ code: codes[2] }));
    const newCodes: string[] = regenerate.body.backupCodes;
    await record('step-up', app.http().post('/api/two-factor/step-up').set(auth).send({ code: newCodes[1] }));
    const knex = app.strapi.db.connection;
    // Read before the disable removes them.
    const deviceHashes = (await knex('two_factor_devices').select('token_hash')).map((r: any) => r.token_hash);
    const freshNonces = (await knex('two_factor_challenges').where('purpose', 'fresh').select('nonce')).map((r: any) => r.nonce);
    expect(deviceHashes).toHaveLength(1);
    expect(freshNonces.length).toBeGreaterThan(0);
    await record('disable', app.http().post('/api/two-factor/disable').set(auth).send({ code: newCodes[0] }));

    const hashes = (await knex('two_factor_backup_codes').select('hash')).map((r: any) => r.hash);
    const [user_row] = await knex('up_users').where('id', user.id);
    const secrets: Record<string, { values: string[]; allowed: string[] }> = {
      'TOTP secret': { values: [secret], allowed: ['enable'] },
      'TOTP codes': { values: codes, allowed: [] },
      'first backup codes': { values: backupCodes.flatMap((c) => [c, c.replace(/-/g, '')]), allowed: ['confirm'] },
      'new backup codes': { values: newCodes.flatMap((c) => [c, c.replace(/-/g, '')]), allowed: ['regenerate'] },
      'backup code hashes': { values: hashes, allowed: [] },
      'password hash': { values: [user_row.password], allowed: [] },
      'REST pending token': { values: [mfaToken], allowed: ['login'] },
      'GraphQL pending token': { values: [gqlToken], allowed: ['graphql login'] },
      // The device token is given once, in the verify that remembered the device (body and cookie).
      'device token': { values: [deviceToken], allowed: ['verify'] },
      'device token hash': { values: deviceHashes, allowed: [] },
      'fresh-session marks': { values: freshNonces, allowed: [] },
    };
    expect(logs.length).toBeGreaterThan(10); // the log was really captured (debug level, every request)
    expect(logs.join('')).toContain('/api/two-factor/verify');
    for (const [name, { values, allowed }] of Object.entries(secrets)) {
      for (const v of values) {
        expect(v.length, name).toBeGreaterThan(5);
        const carriers = answers.filter((a) => a.text.includes(v)).map((a) => a.label);
        expect(carriers.filter((label) => !allowed.includes(label)), `${name} in answers`).toEqual([]);
        expect(logs.some((line) => line.includes(v)), `${name} in the log`).toBe(false);
      }
    }
  });
});
