import { createHmac } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config';
import { PLUGIN_ID, UID, getService } from '../utils/plugin';

/**
 * Sessions that passed a second factor recently ("fresh"): a login's verify, a setup login's
 * confirm, or a step-up. Within `stepUpWindow` seconds they may make sensitive changes without a
 * code again. A session is the access token itself, kept only as a keyed hash: a renewed token
 * (refresh mode), a token from a remembered device or one issued before 2FA was on is never
 * fresh, and nothing about the token changes, so no new token is issued in either JWT mode.
 * Rows live in the challenge table (purpose `fresh`), shared by every process; the clean-up
 * removes them once expired and removing a user's 2FA removes them with the rest.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const rows = () => strapi.db.query(UID.challenge);
  const key = (token: string) =>
    createHmac('sha256', getService(strapi, 'keys').get().codeHmac).update(`fresh-session:${token}`).digest('hex');

  /**
   * Moves the token's mark, if it has one (answers how many rows). On MariaDB/MySQL by id after a
   * plain read: an UPDATE of a missing row would take a gap lock there, and two step-ups in their
   * attempts' transactions could deadlock. Elsewhere the update is the read.
   */
  const updateMark = async (where: Record<string, unknown>, data: Record<string, unknown>): Promise<number> => {
    if (strapi.db.dialect.client !== 'mysql') return (await rows().updateMany({ where, data })).count;
    const row = await rows().findOne({ where, select: ['id'] });
    return row ? (await rows().updateMany({ where: { id: row.id }, data })).count : 0;
  };

  return {
    /** Marks the session behind `token` fresh from now; answers until when (null: the window is 0). */
    async mark(userId: number, token: string | undefined): Promise<Date | null> {
      const window = config().stepUpWindow;
      if (!token || window <= 0) return null;
      const now = Date.now();
      const until = now + window * 1000;
      const nonce = key(token);
      const data = { verifiedAt: now, expiresAt: until };
      const where = { nonce, userId, purpose: 'fresh' };
      if ((await updateMark(where, data)) > 0) {
        // The session had a mark (its login's, or an earlier step-up's): moved on.
      } else if (strapi.db.inTransaction()) {
        // A step-up: its attempt holds the account's throttle row, so no other mark of this token runs now.
        await rows().createMany({ data: [{ nonce, userId, purpose: 'fresh', ...data }] });
      } else {
        // A token marked twice at once (two step-ups of one session): the unique nonce keeps one row.
        try {
          await rows().createMany({ data: [{ nonce, userId, purpose: 'fresh', ...data }] });
        } catch {
          await rows().updateMany({ where: { nonce, userId, purpose: 'fresh' }, data });
        }
      }
      return new Date(until);
    },

    /**
     * The columns that make a challenge row the fresh mark of `token` from `now`, or null when
     * the window is 0: a login's consumption writes them in the same statement (login.consume).
     */
    markOf(token: string, now = Date.now()) {
      const window = config().stepUpWindow;
      if (window <= 0) return null;
      return { nonce: key(token), purpose: 'fresh' as const, verifiedAt: now, expiresAt: now + window * 1000, codeHash: null };
    },

    /**
     * Marks a token the plugin has just issued (so no row can exist for it yet: every legacy JWT
     * it issues has its own `jti`, every refresh-mode one its own session): one insert, no read.
     */
    async markIssued(userId: number, token: string): Promise<void> {
      const mark = this.markOf(token);
      if (mark) await rows().createMany({ data: [{ userId, ...mark }] });
    },

    /**
     * Whether the session behind `token` passed a second factor within `maxAge` seconds. A
     * policy may ask for less than the configured window, never more: the window is how long
     * the plugin keeps a session's mark.
     */
    async isFresh(userId: number, token: string | undefined, maxAge?: number): Promise<boolean> {
      const seconds = Math.min(maxAge ?? Infinity, config().stepUpWindow);
      if (!token || !(seconds > 0)) return false;
      const row = await rows().findOne({ where: { nonce: key(token), userId, purpose: 'fresh' }, select: ['verifiedAt'] });
      return Boolean(row?.verifiedAt) && Number(row.verifiedAt) >= Date.now() - seconds * 1000;
    },
  };
};
