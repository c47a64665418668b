import { describe, it, expect } from 'vitest';
import { startApp } from '../helpers/strapi';
import { createTestDatabase } from '../helpers/database';
import { codeAt, enrolTotp, pendingLogin, registerUser } from '../helpers/flows';
import { deriveKey, keyId } from '../../server/src/core';

const OLD_KEY = 'old-two-factor-key-0123456789abcdef';
const NEW_KEY = 'new-two-factor-key-fedcba9876543210';

const kidOf = (blob: string) => blob.split('.')[1];

describe('rotating the encryption key', () => {
  it('old key kept for reading, new key for writing; bootstrap re-encrypts; then the old key can go', async () => {
    const database = await createTestDatabase();
    const secretsOf = async (app: { strapi: any }) => (await app.strapi.db.connection('two_factor_factors').select('secret')).map((r: any) => r.secret);

    // 1. Users enrol under the old key.
    let app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: OLD_KEY }, { database, keepDatabase: true });
    const users = [await registerUser(app), await registerUser(app)];
    const secrets = [];
    for (const user of users) secrets.push((await enrolTotp(app, user)).secret);
    expect((await secretsOf(app)).map(kidOf)).toEqual([keyId(deriveKey(OLD_KEY)), keyId(deriveKey(OLD_KEY))]);
    await app.stop();

    // 2. New key, old one kept for reading: the start rewrites every secret with the new key.
    app = await startApp(
      { TWO_FACTOR_ENCRYPTION_KEY: NEW_KEY, TWO_FACTOR_PREVIOUS_ENCRYPTION_KEYS: OLD_KEY },
      { database, keepDatabase: true }
    );
    expect((await secretsOf(app)).map(kidOf)).toEqual([keyId(deriveKey(NEW_KEY)), keyId(deriveKey(NEW_KEY))]);
    const first = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, users[0]), code: codeAt(secrets[0]) });
    expect(first.status).toBe(200);
    await app.stop();

    // 3. The old key is gone: everything still works with the new key alone.
    app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: NEW_KEY }, { database });
    try {
      const second = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, users[1]), code: codeAt(secrets[1]) });
      expect(second.status).toBe(200);
      // New enrolments are sealed with the new key.
      const user = await registerUser(app);
      await enrolTotp(app, user);
      const [row] = await app.strapi.db.connection('two_factor_factors').where('user_id', user.id);
      expect(kidOf(row.secret)).toBe(keyId(deriveKey(NEW_KEY)));
    } finally {
      await app.stop();
    }
  });

  it('without the old key, secrets sealed with it are left untouched and their logins fail closed', async () => {
    const database = await createTestDatabase();
    let app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: OLD_KEY }, { database, keepDatabase: true });
    const user = await registerUser(app);
    const { secret, backupCodes } = await enrolTotp(app, user);
    const [before] = await app.strapi.db.connection('two_factor_factors').where('user_id', user.id);
    await app.stop();

    app = await startApp({ TWO_FACTOR_ENCRYPTION_KEY: NEW_KEY }, { database });
    // The start reports the secret it cannot read; each refused verify logs the factor it could not open.
    app.logs.expect(/1 secret\(s\) cannot be decrypted with the configured keys/).expect(/TOTP secret of factor \d+ cannot be decrypted/);
    try {
      const [after] = await app.strapi.db.connection('two_factor_factors').where('user_id', user.id);
      expect(after.secret).toBe(before.secret);
      const totp = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: codeAt(secret) });
      expect(totp.status).toBe(400);
      // Backup codes do not depend on the key: the user can still get in and re-enrol.
      const backup = await app.http().post('/api/two-factor/verify').send({ mfaToken: await pendingLogin(app, user), code: backupCodes[0] });
      expect(backup.status).toBe(200);
    } finally {
      await app.stop();
    }
  });
});
