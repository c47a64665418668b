import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { passwordLogin, pendingLogin, pluginService, registerUser, updateSettings, type TestUser } from '../helpers/flows';
import {
  PASSKEY_ENV,
  authenticator,
  enablePasskeys,
  passkeyChallenge,
  verifyPasskey,
  withPasskey,
} from '../helpers/passkey-flows';
import type { SoftAuthenticator } from '../helpers/soft-authenticator';

/**
 * A passkey as the second factor of a password login (docs/rest-api.md, Passkeys): the challenge
 * bound to its pending login, the verify's usual answer, and every way an assertion is refused,
 * each counted as a failed attempt like a wrong code.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp(PASSKEY_ENV);
  await enablePasskeys(app);
});
afterAll(async () => {
  await app?.stop();
});

const events = async (userId: number) =>
  (await app.strapi.db.query('plugin::two-factor.event').findMany({ where: { userId }, orderBy: { id: 'asc' } })) as any[];
const failures = async (userId: number) => (await pluginService(app, 'throttle').state(userId)).failures;

/** A user whose first factor is a passkey of `device`. */
async function userWithPasskey(prefix: string, device: SoftAuthenticator = authenticator()) {
  const user = await registerUser(app, prefix);
  const added = await withPasskey(app, user, device);
  return { user, device, backupCodes: added.backupCodes as string[] };
}

/** A pending login of the user and the request options of its passkey challenge. */
async function challenged(user: TestUser) {
  const mfaToken = await pendingLogin(app, user);
  const res = await passkeyChallenge(app, mfaToken);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { mfaToken, options: res.body };
}

const expectRefused = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.details.code).toBe('INVALID_CODE');
  expect(res.body.jwt).toBeUndefined();
};

describe('sign-in with a passkey as the second factor', () => {
  it('challenge → assertion → the verify answer (JWT and user), audited, counter and last use stored', async () => {
    const { user, device } = await userWithPasskey('pklogin');
    const { mfaToken, options } = await challenged(user);
    expect(options.rpId).toBe('localhost');
    expect(options.userVerification).toBe('preferred');
    expect(options.allowCredentials).toEqual([{ id: device.credentials[0].id.toString('base64url'), type: 'public-key', transports: ['internal', 'hybrid'] }]);
    const res = await verifyPasskey(app, mfaToken, device.assert(options));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.jwt).toEqual(expect.any(String));
    expect(res.body.user).toEqual(expect.objectContaining({ id: user.id, email: user.email }));
    const me = await app.http().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.body.id).toBe(user.id);
    const [row] = await app.strapi.db.query('plugin::two-factor.passkey').findMany({ where: { userId: user.id } });
    expect(Number(row.counter)).toBe(1);
    expect(row.lastUsedAt).not.toBeNull();
    const succeeded = (await events(user.id)).filter((e) => e.type === 'verify.succeeded');
    expect(succeeded.at(-1).method).toBe('passkey');
    // The pending login is spent.
    expect((await verifyPasskey(app, mfaToken, device.assert(options))).status).toBe(401);
  });

  it('the pending cookie stands for the mfaToken, as on the other pending-login routes', async () => {
    const { user, device } = await userWithPasskey('pkcookie');
    const login = await passwordLogin(app, user.email);
    const cookie = (login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('strapi_two_factor='))!.split(';')[0];
    const options = await app.http().post('/api/two-factor/passkeys/challenge').set('Cookie', cookie).send({});
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    const res = await app.http().post('/api/two-factor/verify').set('Cookie', cookie).send({ method: 'passkey', response: device.assert(options.body) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.jwt).toEqual(expect.any(String));
  });

  it('trustDevice remembers the device as after any verify', async () => {
    const { user, device } = await userWithPasskey('pktrust');
    await updateSettings(app, { trustedDevices: { enabled: true, days: 30 } });
    try {
      const { mfaToken, options } = await challenged(user);
      const res = await verifyPasskey(app, mfaToken, device.assert(options), { trustDevice: true });
      expect(res.status).toBe(200);
      expect(res.body.deviceToken).toEqual(expect.any(String));
      const next = await app.http().post('/api/auth/local').send({ identifier: user.email, password: 'Correct-Horse-9', deviceToken: res.body.deviceToken });
      expect(next.body.jwt).toEqual(expect.any(String));
    } finally {
      await updateSettings(app, { trustedDevices: { enabled: false, days: 30 } });
    }
  });

  it('a challenge needs a live pending login of a user with a passkey', async () => {
    expect((await passkeyChallenge(app, 'nope')).status).toBe(401);
    expect((await app.http().post('/api/two-factor/passkeys/challenge').send({})).status).toBe(401);
  });
});

describe('an assertion is refused, and counted, when', () => {
  it('replayed', async () => {
    const { user, device } = await userWithPasskey('pkreplay');
    const { mfaToken, options } = await challenged(user);
    const assertion = device.assert(options);
    expect((await verifyPasskey(app, mfaToken, assertion)).status).toBe(200);
    // Replayed on a new pending login: its challenge is not that login's.
    const second = await challenged(user);
    expectRefused(await verifyPasskey(app, second.mfaToken, assertion));
    expect(await failures(user.id)).toBe(1);
  });

  it("it signed another pending login's challenge", async () => {
    const { user, device } = await userWithPasskey('pkother');
    const a = await challenged(user);
    const b = await challenged(user);
    expectRefused(await verifyPasskey(app, b.mfaToken, device.assert(a.options)));
    // Each login still takes its own.
    expect((await verifyPasskey(app, a.mfaToken, device.assert(a.options))).status).toBe(200);
  });

  it('made for another RP ID', async () => {
    const { user, device } = await userWithPasskey('pkrpid');
    const { mfaToken, options } = await challenged(user);
    expectRefused(await verifyPasskey(app, mfaToken, device.assert(options, undefined, { rpId: 'evil.example' })));
  });

  it('made on another origin', async () => {
    const { user, device } = await userWithPasskey('pkorigin');
    const { mfaToken, options } = await challenged(user);
    expectRefused(await verifyPasskey(app, mfaToken, device.assert(options, undefined, { origin: 'https://evil.example' })));
    // The challenge was spent by the refused try: a right assertion needs a new one.
    expectRefused(await verifyPasskey(app, mfaToken, device.assert(options)));
    const again = await passkeyChallenge(app, mfaToken);
    expect((await verifyPasskey(app, mfaToken, device.assert(again.body))).status).toBe(200);
  });

  it('its signature counter went back (audited passkey.counter_regression)', async () => {
    const { user, device } = await userWithPasskey('pkcounter');
    for (let i = 0; i < 2; i += 1) {
      const { mfaToken, options } = await challenged(user);
      expect((await verifyPasskey(app, mfaToken, device.assert(options))).status).toBe(200);
    }
    const { mfaToken, options } = await challenged(user);
    // A clone of the authenticator, one step behind: counter 2 again.
    expectRefused(await verifyPasskey(app, mfaToken, device.assert(options, undefined, { counter: 2 })));
    const regression = (await events(user.id)).filter((e) => e.type === 'passkey.counter_regression');
    expect(regression).toHaveLength(1);
    expect(regression[0].details).toEqual(expect.objectContaining({ storedCounter: 2, receivedCounter: 2 }));
    const [row] = await app.strapi.db.query('plugin::two-factor.passkey').findMany({ where: { userId: user.id } });
    expect(Number(row.counter)).toBe(2);
  });

  it('an authenticator that keeps no counter (always 0) signs in every time', async () => {
    const { user, device } = await userWithPasskey('pkzero', authenticator({ counterless: true }));
    for (let i = 0; i < 2; i += 1) {
      const { mfaToken, options } = await challenged(user);
      expect((await verifyPasskey(app, mfaToken, device.assert(options))).status).toBe(200);
    }
  });

  it("it is another user's credential", async () => {
    const alice = await userWithPasskey('pkalice');
    const mallory = await userWithPasskey('pkmallory');
    const { mfaToken, options } = await challenged(alice.user);
    expectRefused(await verifyPasskey(app, mfaToken, mallory.device.assert(options, mallory.device.credentials[0])));
  });

  it('the passkey was deleted', async () => {
    const { user, device, backupCodes } = await userWithPasskey('pkdeleted');
    const { mfaToken, options } = await challenged(user);
    const [row] = await app.strapi.db.query('plugin::two-factor.passkey').findMany({ where: { userId: user.id } });
    const removed = await app
      .http()
      .delete(`/api/two-factor/passkeys/${row.id}`)
      .set('Authorization', `Bearer ${user.jwt}`)
      .set('X-Two-Factor-Code', backupCodes[0]);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    // Its last passkey gone, the account has no factor: the pending login is gone with it.
    expect((await verifyPasskey(app, mfaToken, device.assert(options))).status).toBe(401);
    expect((await passwordLogin(app, user.email)).body.jwt).toEqual(expect.any(String));
  });

  it('a deleted passkey of an account that keeps others', async () => {
    const device = authenticator();
    const { user } = await userWithPasskey('pkdeleted2', device);
    const mfa = await challenged(user);
    const fresh = await verifyPasskey(app, mfa.mfaToken, device.assert(mfa.options));
    const jwt = fresh.body.jwt as string;
    const second = authenticator();
    const opts = await app.http().post('/api/two-factor/passkeys/options').set('Authorization', `Bearer ${jwt}`).send({});
    expect((await app.http().post('/api/two-factor/passkeys').set('Authorization', `Bearer ${jwt}`).send({ response: second.register(opts.body).response })).status).toBe(200);
    const [first] = await app.strapi.db.query('plugin::two-factor.passkey').findMany({ where: { userId: user.id }, orderBy: { id: 'asc' } });
    const { mfaToken, options } = await challenged(user);
    expect((await app.http().delete(`/api/two-factor/passkeys/${first.id}`).set('Authorization', `Bearer ${jwt}`)).status).toBe(200);
    expectRefused(await verifyPasskey(app, mfaToken, device.assert(options, device.credentials[0])));
  });

  it('fuzzed: random, missing and mistyped fields answer 4xx, never 5xx', async () => {
    const { user, device } = await userWithPasskey('pkfuzz');
    const { options } = await challenged(user);
    const good = device.assert(options);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const junk = (): unknown => {
      const kinds = [null, 0, -1, 1e308, '', 'x', '!!!', 'A'.repeat(3000), [], {}, { a: 1 }, true, good.response.signature, good.id];
      return kinds[Math.floor(random() * kinds.length)];
    };
    const variants: unknown[] = [null, 'string', 5, [], {}, { id: good.id }, { ...good, response: null }, { ...good, id: 42 }];
    for (let i = 0; i < 60; i += 1) {
      const copy = JSON.parse(JSON.stringify(good));
      const fields = ['id', 'rawId', 'type', 'clientExtensionResults', 'response.clientDataJSON', 'response.authenticatorData', 'response.signature', 'response.userHandle'];
      const field = fields[Math.floor(random() * fields.length)];
      const [head, tail] = field.split('.');
      if (tail) {
        if (random() < 0.3) delete copy[head][tail];
        else copy[head][tail] = junk();
      } else if (random() < 0.3) delete copy[head];
      else copy[head] = junk();
      variants.push(copy);
    }
    for (const response of variants) {
      const mfaToken = await pendingLogin(app, user);
      await passkeyChallenge(app, mfaToken);
      const res = await app.http().post('/api/two-factor/verify').send({ mfaToken, method: 'passkey', response });
      expect(res.status, JSON.stringify(response).slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(response).slice(0, 300)).toBeLessThan(500);
      expect(res.body.jwt).toBeUndefined();
      // Keep the account below the lock so every variant reaches the check.
      await pluginService(app, 'throttle').clear(user.id);
    }
  });

  it('each refusal counts toward the lock like a wrong code', async () => {
    const { user, device } = await userWithPasskey('pklock');
    const { mfaToken, options } = await challenged(user);
    for (let i = 0; i < 3; i += 1) expectRefused(await verifyPasskey(app, mfaToken, device.assert(options, undefined, { origin: 'https://evil.example' })));
    expect(await failures(user.id)).toBe(3);
    const failed = (await events(user.id)).filter((e) => e.type === 'verify.failed');
    expect(failed.map((e) => e.method)).toEqual(['passkey', 'passkey', 'passkey']);
  });
});

describe('concurrency', () => {
  it('20 parallel submissions of one assertion give exactly one JWT', async () => {
    const { user, device } = await userWithPasskey('pkparallel');
    const { mfaToken, options } = await challenged(user);
    const assertion = device.assert(options);
    const results = await Promise.all(Array.from({ length: 20 }, () => verifyPasskey(app, mfaToken, assertion)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.jwt)).toHaveLength(1);
    // The others: the spent login (401), the spent challenge (400) or, past 10 failures, the lock (429).
    expect(results.filter((r) => [400, 401, 429].includes(r.status))).toHaveLength(19);
  });
});
