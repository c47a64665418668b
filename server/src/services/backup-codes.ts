import type { Core } from '@strapi/strapi';
import { generateBackupCodes, hashBackupCode, normalizeBackupCode } from '../core';
import { UID, getService } from '../utils/plugin';

/** One-time recovery codes: stored as hashes, each usable once, also under concurrent use. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Replaces every code of the user in one transaction and returns the new ones, once. */
  async regenerate(userId: number): Promise<string[]> {
    const { backupCodeCount } = await getService(strapi, 'settings').get();
    const codes = generateBackupCodes(backupCodeCount);
    const rows = () => strapi.db.query(UID.backupCode);
    await strapi.db.transaction(async () => {
      // Delete by id what a plain read found, not by user: under InnoDB a delete by user takes gap
      // locks, and two users regenerating at once then deadlock at the inserts below.
      const old = await rows().findMany({ where: { userId }, select: ['id'] });
      if (old.length) await rows().deleteMany({ where: { id: { $in: old.map((row: { id: number }) => row.id) } } });
      await rows().createMany({
        data: codes.map((code) => ({ userId, hash: hashBackupCode(normalizeBackupCode(code)!), usedAt: null })),
      });
    });
    return codes;
  },

  /** Marks the code used if it is one of the user's unused codes; exactly one caller wins. */
  async consume(userId: number, input: unknown): Promise<boolean> {
    const normalized = normalizeBackupCode(input);
    if (!normalized) return false;
    const { count } = await strapi.db.query(UID.backupCode).updateMany({
      where: { userId, hash: hashBackupCode(normalized), usedAt: null },
      data: { usedAt: new Date() },
    });
    return count === 1;
  },

  async remaining(userId: number): Promise<number> {
    return strapi.db.query(UID.backupCode).count({ where: { userId, usedAt: null } });
  },

  async removeAll(userId: number) {
    await strapi.db.query(UID.backupCode).deleteMany({ where: { userId } });
  },
});
