import type { Core } from '@strapi/strapi';
import { decryptSecret, encryptSecret, keyId } from '../core';
import { UID, getService } from '../utils/plugin';
import { configSource } from './keys';

const BATCH = 200;
/** How many user ids the "cannot be decrypted" warning names. */
const NAMED_USERS = 10;

/** The key id a secret was sealed with (`v1.<key id>.…`), or null for a blob of another shape. */
export const sealedWith = (blob: unknown): string | null => (typeof blob === 'string' && /^v1\.[0-9a-f]{8}\./.test(blob) ? blob.slice(3, 11) : null);

/**
 * Rotating the encryption key: with the new key configured and the old one kept in
 * `previousEncryptionKeys` (the development key is kept there by itself), every TOTP secret still
 * sealed with an old key is rewritten with the new one (bootstrap runs this at each start), and
 * each rewrite is recorded in the audit log (`secret.reencrypted`). Each row is swapped with a
 * guarded update (the old blob must still be there), so processes starting together never
 * clobber each other.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Whether a stored secret can be decrypted with the configured keys (the admin users list flags those that cannot). */
  readable(blob: string): boolean {
    try {
      decryptSecret(blob, getService(strapi, 'keys').get().secrets);
      return true;
    } catch {
      return false;
    }
  },

  async reencryptSecrets(): Promise<{ rewritten: number; fromDevelopmentKey: number; unreadable: number }> {
    const keys = getService(strapi, 'keys').get();
    const keyring = keys.secrets;
    const factors = strapi.db.query(UID.factor);
    let rewritten = 0;
    let fromDevelopmentKey = 0;
    const unreadable: { userId: number; keyId: string | null }[] = [];
    // Blobs are `v1.<key id>.…` (dots only as separators): the database filters out current ones.
    const current = `v1.${keyId(keyring.current)}.`;
    let lastId = 0;
    for (;;) {
      const rows = await factors.findMany({
        where: { id: { $gt: lastId }, secret: { $notNull: true, $notContains: current } },
        select: ['id', 'secret', 'userId'],
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
          unreadable.push({ userId: Number(row.userId), keyId: sealedWith(row.secret) }); // left as it is
          continue;
        }
        const { count } = await factors.updateMany({
          where: { id: row.id, secret: row.secret },
          data: { secret: encryptSecret(plaintext, keyring) },
        });
        if (!count) continue; // another process rewrote it first
        rewritten += count;
        const from = sealedWith(row.secret) === keys.developmentKeyId ? 'development key' : 'previous key';
        if (from === 'development key') fromDevelopmentKey += 1;
        await getService(strapi, 'audit').record('secret.reencrypted', {
          userId: Number(row.userId),
          method: 'totp',
          details: { from, keyId: sealedWith(row.secret), to: keyId(keyring.current) },
        });
      }
    }
    if (rewritten) {
      const dev = fromDevelopmentKey ? ` (${fromDevelopmentKey} of them from the development key)` : '';
      strapi.log.info(`two-factor: re-encrypted ${rewritten} secret(s) with the current key${dev}`);
    }
    if (unreadable.length) {
      const users = [...new Set(unreadable.map((u) => u.userId))];
      const named = users.slice(0, NAMED_USERS).join(', ') + (users.length > NAMED_USERS ? `, … (${users.length} users)` : '');
      const keyIds = [...new Set(unreadable.map((u) => u.keyId ?? 'unknown'))].join(', ');
      const { file } = configSource(strapi);
      strapi.log.warn(
        [
          `two-factor: ${unreadable.length} secret(s) cannot be decrypted with the configured keys (users ${named}): they were sealed with key id ${keyIds}, which is neither encryptionKey nor one of previousEncryptionKeys.`,
          'Those users cannot sign in with their authenticator app (their backup codes still work). To fix it, either:',
          `- put the key they were sealed with in previousEncryptionKeys (${file}, 'two-factor' entry) and restart: the start re-encrypts them with the current key; or`,
          '- reset their two-factor in the admin panel (Settings › Users & Permissions plugin › Two-factor users, marked "Secret unreadable"), so they enrol again.',
        ].join('\n  ')
      );
    }
    return { rewritten, fromDevelopmentKey, unreadable: unreadable.length };
  },
});
