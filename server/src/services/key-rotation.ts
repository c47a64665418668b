import type { Core } from '@strapi/strapi';
import { decryptSecret, encryptSecret, keyId } from '../core';
import { UID, getService } from '../utils/plugin';

const BATCH = 200;

/**
 * Rotating the encryption key: with the new key configured and the old one kept in
 * `previousEncryptionKeys`, every TOTP secret still sealed with an old key is rewritten with the
 * new one (bootstrap runs this at each start). Each row is swapped with a guarded update (the old
 * blob must still be there), so processes starting together never clobber each other.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async reencryptSecrets(): Promise<{ rewritten: number; unreadable: number }> {
    const keyring = getService(strapi, 'keys').get().secrets;
    const factors = strapi.db.query(UID.factor);
    let rewritten = 0;
    let unreadable = 0;
    // Blobs are `v1.<key id>.…` (dots only as separators): the database filters out current ones.
    const current = `v1.${keyId(keyring.current)}.`;
    let lastId = 0;
    for (;;) {
      const rows = await factors.findMany({
        where: { id: { $gt: lastId }, secret: { $notNull: true, $notContains: current } },
        select: ['id', 'secret'],
        orderBy: { id: 'asc' },
        limit: BATCH,
      });
      if (!rows.length) break;
      lastId = rows[rows.length - 1].id;
      for (const row of rows) {
        let plaintext: string;
        try {
          plaintext = decryptSecret(row.secret, keyring);
        } catch {
          unreadable += 1; // sealed with a key that is no longer configured: left as it is
          continue;
        }
        const { count } = await factors.updateMany({
          where: { id: row.id, secret: row.secret },
          data: { secret: encryptSecret(plaintext, keyring) },
        });
        rewritten += count;
      }
    }
    if (rewritten) strapi.log.info(`two-factor: re-encrypted ${rewritten} secret(s) with the current key`);
    if (unreadable) {
      strapi.log.warn(`two-factor: ${unreadable} secret(s) cannot be decrypted with the configured keys (a previous key is missing)`);
    }
    return { rewritten, unreadable };
  },
});
