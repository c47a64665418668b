import { describe, it, expect } from 'vitest';
import { startApp } from '../helpers/strapi';
import { createTestDatabase } from '../helpers/database';
import { tryAppProcess } from '../helpers/process';
import { adminToken } from '../helpers/admin';
import { codeAt, enrolTotp, pendingLogin, registerUser } from '../helpers/flows';
import { deriveKey, keyId } from '../../server/src/core';
import { developmentKeyMaterial } from '../../server/src/services/keys';

/**
 * The key's life from a first `npm start` to production: the development key, the
 * move to a real key without locking anyone out, secrets no configured key can read, and a
 * production start without a key.
 */
const REAL_KEY = 'real-two-factor-key-0123456789abcdef';
const OTHER_KEY = 'other-two-factor-key-fedcba9876543210';
const HOST_APP_KEYS = ['hostAppKeyOne', 'hostAppKeyTwo']; // tests/app/config/server.js without APP_KEYS
const ADMIN = { ADMIN_EMAIL: 'keys-admin@example.com', ADMIN_PASSWORD: 'KeysAdminPassw0rd!' };

const kidOf = (blob: string) => blob.split('.')[1];
const secretOf = async (app: { strapi: any }, userId: number) =>
  (await app.strapi.db.connection('two_factor_factors').where('user_id', userId).first()).secret as string;

describe('the development key', () => {
  it('warns at start, naming the file and the variable to set', async () => {
    const app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: undefined, APP_KEYS: undefined });
    try {
      app.logs.expect(/no encryptionKey is configured/);
      const [warning] = app.logs.matching(/no encryptionKey is configured/);
      // The host app's file already reads the key from the variable: only the variable is missing.
      expect(warning).toContain(
        "Strapi read config/plugins.js, whose 'two-factor' entry takes encryptionKey from TWO_FACTOR_ENCRYPTION_KEY, and TWO_FACTOR_ENCRYPTION_KEY is not set."
      );
      expect(warning).toContain('Set TWO_FACTOR_ENCRYPTION_KEY in the environment or .env');
    } finally {
      await app.stop();
    }
  });

  it('is a previous key once a real key is set: the same authenticator signs in, its secret moves to the real key, audited', async () => {
    const database = await createTestDatabase();
    let app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: undefined, APP_KEYS: undefined }, { database, keepDatabase: true });
    app.logs.expect(/no encryptionKey is configured/);
    const user = await registerUser(app);
    const { secret } = await enrolTotp(app, user);
    const developmentKid = keyId(deriveKey(developmentKeyMaterial(HOST_APP_KEYS)));
    expect(kidOf(await secretOf(app, user.id))).toBe(developmentKid);
    await app.stop();

    // The operator sets a real key and nothing else: no previousEncryptionKeys.
    app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: REAL_KEY, APP_KEYS: undefined, LOG_LEVEL: 'info', ...ADMIN }, { database });
    try {
      expect(app.logs.matching(/no encryptionKey is configured/)).toEqual([]);
      app.logs.expect(/re-encrypted 1 secret\(s\) with the current key \(1 of them from the development key\)/);
      expect(kidOf(await secretOf(app, user.id))).toBe(keyId(deriveKey(REAL_KEY)));

      const signIn = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
      expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
      expect(signIn.body.jwt).toEqual(expect.any(String));

      const token = await adminToken(app.http, ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
      const events = await app.http().get(`/two-factor/events?type=secret.reencrypted&user=${user.id}`).set('Authorization', `Bearer ${token}`);
      expect(events.body.results).toHaveLength(1);
      expect(events.body.results[0]).toMatchObject({
        type: 'secret.reencrypted',
        method: 'totp',
        details: { from: 'development key', keyId: developmentKid, to: keyId(deriveKey(REAL_KEY)) },
      });
    } finally {
      await app.stop();
    }
  });
});

describe('secrets no configured key can read', () => {
  it('are flagged in the admin users list and the log says how to fix it; the old key back fixes both', async () => {
    const database = await createTestDatabase();
    let app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: REAL_KEY }, { database, keepDatabase: true });
    const lost = await registerUser(app, 'lost');
    const { secret } = await enrolTotp(app, lost);
    await app.stop();

    // Enrolled under REAL_KEY, now started with OTHER_KEY alone: that secret is unreadable.
    app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: OTHER_KEY, ...ADMIN }, { database, keepDatabase: true });
    app.logs.expect(/cannot be decrypted/);
    const fine = await registerUser(app, 'fine');
    await enrolTotp(app, fine);
    const [warning] = app.logs.matching(/secret\(s\) cannot be decrypted/);
    expect(warning).toContain(`1 secret(s) cannot be decrypted with the configured keys (users ${lost.id})`);
    expect(warning).toContain(`key id ${keyId(deriveKey(REAL_KEY))}`);
    expect(warning).toContain("previousEncryptionKeys (config/plugins.js, 'two-factor' entry)");
    expect(warning).toContain('Secret unreadable');

    const token = await adminToken(app.http, ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
    const listed = async () =>
      Object.fromEntries(
        (await app.http().get('/two-factor/users?pageSize=100').set('Authorization', `Bearer ${token}`)).body.results.map((u: any) => [
          u.id,
          u.keyMissing,
        ])
      );
    expect(await listed()).toMatchObject({ [lost.id]: true, [fine.id]: false });
    const refused = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, lost), code: codeAt(secret) });
    expect(refused.status).toBe(400);
    await app.stop();

    // The fix the log names: the old key as a previous key.
    app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: OTHER_KEY, TWO_FACTOR_PREVIOUS_ENCRYPTION_KEYS: REAL_KEY, ...ADMIN }, { database });
    try {
      expect(app.logs.matching(/cannot be decrypted/)).toEqual([]);
      expect(await listed()).toMatchObject({ [lost.id]: false, [fine.id]: false });
      const signIn = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, lost), code: codeAt(secret, 1) });
      expect(signIn.status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});

describe('production without a key', () => {
  it('refuses to start, naming the missing key and the file Strapi read', async () => {
    const database = await createTestDatabase();
    try {
      const started = await tryAppProcess({ ...database.env, NODE_ENV: 'production', TWO_FACTOR_ENCRYPTION_KEY: undefined });
      if (started.ready) {
        await started.app.stop();
        throw new Error('the app started in production without an encryption key');
      }
      expect(started.code).not.toBe(0);
      expect(started.output).toContain('two-factor: an encryptionKey is required when NODE_ENV=production, and none is configured.');
      expect(started.output).toContain("Strapi read config/plugins.js, whose 'two-factor' entry takes encryptionKey from TWO_FACTOR_ENCRYPTION_KEY");
      expect(started.output).toContain('Set TWO_FACTOR_ENCRYPTION_KEY in the environment or .env');
    } finally {
      await database.drop();
    }
  });
});
