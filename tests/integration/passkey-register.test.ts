import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, passwordLogin, pendingLogin, pluginService, registerUser, updateSettings } from '../helpers/flows';
import { adminToken, createUser, ensureRole } from '../helpers/admin';
import {
  ORIGIN,
  PASSKEY_ENV,
  authenticator,
  enablePasskeys,
  passkeyChallenge,
  passkeyOptions,
  registerPasskey,
  verifyPasskey,
  withPasskey,
} from '../helpers/passkey-flows';

/**
 * Passkeys registered over REST (docs/rest-api.md, Passkeys): the ceremony's options, the first
 * passkey as a first factor (backup codes, status, audit), the step-up any added factor needs,
 * the limit of 10, the setup-required login of a required role, and the relying party taken from
 * the config only.
 */
const SUPER = { email: 'passkey-admin@example.com', password: 'SuperPassw0rd!' };
let app: TestApp;
beforeAll(async () => {
  app = await startApp({ ...PASSKEY_ENV, ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password });
  await enablePasskeys(app);
});
afterAll(async () => {
  await app?.stop();
});

const auth = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });
const status = async (jwt: string) => (await app.http().get('/api/two-factor/status').set(auth(jwt))).body;
const events = async (userId: number) =>
  (await app.strapi.db.query('plugin::two-factor.event').findMany({ where: { userId }, orderBy: { id: 'asc' } })).map((e: any) => e.type);

describe('registration options', () => {
  it('are creation options of the configured relying party, never of the request headers', async () => {
    const user = await registerUser(app, 'pkopt');
    const res = await app
      .http()
      .post('/api/two-factor/passkeys/options')
      .set(auth(user.jwt))
      .set('Host', 'evil.example')
      .set('Origin', 'https://evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .send({});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rp).toEqual({ id: 'localhost', name: 'Strapi' });
    expect(res.body.challenge).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(res.body.user.name).toBe(user.email);
    // The user handle is opaque: neither the id nor the address.
    expect(Buffer.from(res.body.user.id, 'base64url').toString()).not.toContain(String(user.id));
    expect(res.body.authenticatorSelection).toEqual(expect.objectContaining({ residentKey: 'preferred', userVerification: 'preferred' }));
    expect(res.body.excludeCredentials).toEqual([]);
    expect(res.body.attestation).toBe('none');
  });

  it('need a signed-in user or a setup-required login', async () => {
    expect((await app.http().post('/api/two-factor/passkeys/options').send({})).status).toBe(401);
    expect((await app.http().post('/api/two-factor/passkeys/options').set(auth('not-a-jwt')).send({})).status).toBe(401);
  });

  it('exclude the passkeys the user has', async () => {
    const user = await registerUser(app, 'pkexcl');
    const device = authenticator();
    const added = await withPasskey(app, user, device);
    const res = await passkeyOptions(app, { jwt: user.jwt }, { code: undefined });
    // The account has a factor now: options need a step-up (a fresh session or a code).
    expect(res.status).toBe(403);
    expect(res.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const proved = await passkeyOptions(app, user, { code: added.backupCodes[0] });
    expect(proved.status, JSON.stringify(proved.body)).toBe(200);
    expect(proved.body.excludeCredentials).toEqual([{ id: device.credentials[0].id.toString('base64url'), transports: ['internal', 'hybrid'], type: 'public-key' }]);
  });
});

describe('the first passkey', () => {
  it('is a confirmed factor: backup codes, status, audit; the login then asks for it', async () => {
    const user = await registerUser(app, 'pkfirst');
    const device = authenticator();
    const res = await registerPasskey(app, user, device, { name: 'My laptop' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        id: expect.any(Number),
        name: 'My laptop',
        createdAt: expect.any(String),
        lastUsedAt: null,
        transports: ['internal', 'hybrid'],
        backedUp: false,
        deviceType: 'singleDevice',
        enabled: true,
        methods: ['passkey'],
      })
    );
    expect(res.body.backupCodes).toHaveLength(10);
    expect(await status(user.jwt)).toEqual({ enabled: true, methods: ['passkey'], backupCodesRemaining: 10 });
    expect(await events(user.id)).toEqual(expect.arrayContaining(['enrolment.started', 'passkey.added', 'method.added', 'enabled']));

    const login = await passwordLogin(app, user.email);
    expect(login.body.twoFaRequired).toBe(true);
    expect(login.body.methods).toEqual(['passkey', 'backup_code']);
    expect(login.body.jwt).toBeUndefined();
  });

  it('is stored as its credential id and public key, never the private part; the challenge is a keyed hash', async () => {
    const user = await registerUser(app, 'pkstore');
    const device = authenticator();
    const options = await passkeyOptions(app, user);
    const { response } = device.register(options.body);
    const challengeRows = await app.strapi.db.query('plugin::two-factor.challenge').findMany({ where: { userId: user.id, purpose: 'passkey-register' } });
    expect(challengeRows).toHaveLength(1);
    expect(JSON.stringify(challengeRows)).not.toContain(options.body.challenge);
    expect((await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send({ response })).status).toBe(200);
    const [row] = await app.strapi.db.query('plugin::two-factor.passkey').findMany({ where: { userId: user.id } });
    expect(row.credentialId).toBe(response.id);
    expect(row.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Number(row.counter)).toBe(0);
  });
});

describe('a registration response is refused (400 PASSKEY_INVALID) when', () => {
  const refused = (res: { status: number; body: any }) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details.code).toBe('PASSKEY_INVALID');
  };
  const attempt = async (bend: Parameters<ReturnType<typeof authenticator>['register']>[1], prefix: string) => {
    const user = await registerUser(app, prefix);
    const options = await passkeyOptions(app, user);
    const { response } = authenticator().register(options.body, bend);
    const res = await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send({ response });
    return { user, res };
  };

  it('made for another RP ID', async () => refused((await attempt({ rpId: 'evil.example' }, 'pkrp')).res));
  it('made on another origin', async () => refused((await attempt({ origin: 'https://evil.example' }, 'pkorigin')).res));
  it('made for another challenge', async () => refused((await attempt({ challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 'pkchal')).res));
  it('of the wrong ceremony type', async () => refused((await attempt({ type: 'webauthn.get' }, 'pktype')).res));

  it('replayed: a challenge answers once', async () => {
    const user = await registerUser(app, 'pkreplay');
    const options = await passkeyOptions(app, user);
    const { response } = authenticator().register(options.body);
    expect((await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send({ response })).status).toBe(200);
    const again = await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send({ response });
    refused(again);
  });

  it("answering another user's options", async () => {
    const alice = await registerUser(app, 'pkalice');
    const mallory = await registerUser(app, 'pkmallory');
    const options = await passkeyOptions(app, alice);
    const { response } = authenticator().register(options.body);
    refused(await app.http().post('/api/two-factor/passkeys').set(auth(mallory.jwt)).send({ response }));
    expect(await status(mallory.jwt)).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
  });

  it('malformed: missing, of the wrong type, or random (never a 5xx)', async () => {
    const user = await registerUser(app, 'pkfuzz');
    await passkeyOptions(app, user);
    const bodies: unknown[] = [
      {},
      { response: null },
      { response: 'x' },
      { response: [] },
      { response: {} },
      { response: { id: 1, rawId: [], type: 'public-key', response: 'x' } },
      { response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: '!!', attestationObject: 5 } } },
      { response: { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'oA' } } },
      { response: { id: 'A'.repeat(5000), rawId: {}, type: 'x', response: { clientDataJSON: null } } },
      { response: { __proto__: { polluted: true }, constructor: 1 } },
      { response: {}, name: 5 },
      { response: {}, name: 'x'.repeat(65) },
    ];
    for (const body of bodies) {
      const res = await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send(body as object);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBeLessThan(500);
      expect(res.body.error.details.code).toMatch(/^(INVALID_INPUT|PASSKEY_INVALID)$/);
    }
    expect(await status(user.jwt)).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
  });
});

describe('adding a factor to an account that has one needs a step-up (S1)', () => {
  it('a JWT alone gets no options; a current TOTP code does, and the passkey joins the TOTP', async () => {
    const user = await registerUser(app, 'pkstep');
    const { secret } = await enrolTotp(app, user);
    // A JWT from before 2FA was on is not fresh.
    const refused = await passkeyOptions(app, user);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.code).toBe('STEP_UP_REQUIRED');
    const res = await registerPasskey(app, user, authenticator(), { code: codeAt(secret, 1) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.methods).toEqual(['totp', 'passkey']);
    // Not a first factor: no new backup codes.
    expect(res.body.backupCodes).toBeUndefined();
    expect(await events(user.id)).toEqual(expect.arrayContaining(['passkey.added', 'method.added']));
    expect((await events(user.id)).filter((t: string) => t === 'enabled')).toHaveLength(1);
  });

  it('a wrong code is a counted failure', async () => {
    const user = await registerUser(app, 'pkwrong');
    await enrolTotp(app, user);
    const res = await passkeyOptions(app, user, { code: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('INVALID_CODE');
    expect((await pluginService(app, 'throttle').state(user.id)).failures).toBe(1);
  });

  it('options asked before the account had a factor do not finish as its second without a step-up', async () => {
    const user = await registerUser(app, 'pkrace');
    const early = await passkeyOptions(app, user);
    const { backupCodes } = await enrolTotp(app, user);
    const { response } = authenticator().register(early.body);
    const refused = await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send({ response });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.code).toBe('STEP_UP_REQUIRED');
    expect(await status(user.jwt)).toEqual(expect.objectContaining({ methods: ['totp'] }));
    // The same rule accepts a current code given with the request (fresh options).
    const again = await passkeyOptions(app, user, { code: backupCodes[0] });
    const { response: second } = authenticator().register(again.body);
    expect((await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send({ response: second })).status).toBe(200);
  });

  it('a fresh session (a verify with the passkey) adds the next passkeys without a code, up to 10 (PASSKEY_LIMIT)', async () => {
    const user = await registerUser(app, 'pklimit');
    const device = authenticator();
    await withPasskey(app, user, device);
    const mfaToken = await pendingLogin(app, user);
    const challenge = await passkeyChallenge(app, mfaToken);
    const verified = await verifyPasskey(app, mfaToken, device.assert(challenge.body));
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const fresh = { jwt: verified.body.jwt as string };
    for (let i = 2; i <= 10; i += 1) {
      const res = await registerPasskey(app, fresh, device, { name: `Key ${i}` });
      expect(res.status, `passkey ${i}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const eleventh = await passkeyOptions(app, fresh);
    expect(eleventh.status).toBe(400);
    expect(eleventh.body.error.details.code).toBe('PASSKEY_LIMIT');
    const list = await app.http().get('/api/two-factor/passkeys').set(auth(fresh.jwt));
    expect(list.body).toHaveLength(10);
  });
});

describe('the setup-required login of a required role', () => {
  it('registers the first passkey with the setup token and completes that login once', async () => {
    await ensureRole(app.strapi, 'staff', 'Staff');
    await updateSettings(app, { enforcedRoles: ['staff'] });
    try {
      const email = `pkstaff${Date.now()}@example.com`;
      await createUser(app.strapi, { username: `pkstaff${Date.now()}`, email, password: 'Correct-Horse-9', roleType: 'staff' });
      const login = await passwordLogin(app, email);
      expect(login.body.twoFaSetupRequired).toBe(true);
      expect(login.body.methods).toContain('passkey');
      const mfaToken = login.body.mfaToken;
      const options = await app.http().post('/api/two-factor/passkeys/options').send({ mfaToken });
      expect(options.status, JSON.stringify(options.body)).toBe(200);
      const { response } = authenticator().register(options.body);
      const [done, twice] = await Promise.all([
        app.http().post('/api/two-factor/passkeys').send({ mfaToken, response }),
        app.http().post('/api/two-factor/passkeys').send({ mfaToken, response }),
      ]);
      const ok = [done, twice].filter((r) => r.status === 200);
      expect(ok, JSON.stringify([done.body, twice.body])).toHaveLength(1);
      expect(ok[0].body.jwt).toEqual(expect.any(String));
      expect(ok[0].body.user.email).toBe(email);
      expect(ok[0].body.backupCodes).toHaveLength(10);
      expect(ok[0].body.methods).toEqual(['passkey']);
      // The setup token opens nothing any more.
      expect((await app.http().post('/api/two-factor/passkeys/options').send({ mfaToken })).status).toBe(401);
    } finally {
      await updateSettings(app, { enforcedRoles: [] });
    }
  });
});

describe('the method switch', () => {
  it('enable and confirm refuse method passkey (its own ceremony)', async () => {
    const user = await registerUser(app, 'pkenable');
    const res = await app.http().post('/api/two-factor/enable').set(auth(user.jwt)).send({ method: 'passkey' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/passkeys\/options/);
  });

  it('off: no options, and the login no longer offers passkeys (backup codes still work)', async () => {
    const user = await registerUser(app, 'pkoff');
    const device = authenticator();
    const { backupCodes } = await withPasskey(app, user, device);
    await updateSettings(app, { methods: { passkey: false } });
    try {
      const refused = await passkeyOptions(app, user, { code: backupCodes[0] });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.code).toBe('METHOD_UNAVAILABLE');
      const login = await passwordLogin(app, user.email);
      expect(login.body.methods).toEqual(['backup_code']);
      expect((await passkeyChallenge(app, login.body.mfaToken)).body.error.details.code).toBe('METHOD_UNAVAILABLE');
    } finally {
      await enablePasskeys(app);
    }
  });

  it('cannot be switched on without config passkeys.rpId and passkeys.origins (admin API 400)', async () => {
    const token = await adminToken(app.http, SUPER.email, SUPER.password);
    const saved = app.strapi.config.get('plugin::two-factor.passkeys');
    app.strapi.config.set('plugin::two-factor.passkeys', { origins: [] });
    try {
      await updateSettings(app, { methods: { passkey: false } }).catch(() => undefined);
      const res = await app.http().put('/two-factor/settings').set('Authorization', `Bearer ${token}`).send({ methods: { passkey: true } });
      expect(res.status).toBe(400);
      expect(res.body.error.details.code).toBe('INVALID_SETTINGS');
      expect(res.body.error.message).toMatch(/passkeys\.rpId/);
      expect(res.body.error.message).toMatch(/passkeys\.origins/);
      const view = await app.http().get('/two-factor/settings').set('Authorization', `Bearer ${token}`);
      expect(view.body.passkeysAvailable).toBe(false);
      expect(view.body.methods.passkey).toBe(false);
      expect(view.body.passkeys).toEqual({ passwordless: false });
    } finally {
      app.strapi.config.set('plugin::two-factor.passkeys', saved);
      await enablePasskeys(app);
    }
  });
});

describe('the origin list', () => {
  it('accepts every configured origin', async () => {
    const user = await registerUser(app, 'pkorigins');
    const options = await passkeyOptions(app, user);
    const { response } = authenticator().register(options.body, { origin: 'http://localhost:5174' });
    expect((await app.http().post('/api/two-factor/passkeys').set(auth(user.jwt)).send({ response })).status).toBe(200);
    expect(ORIGIN).toBe('http://localhost:5173');
  });
});
