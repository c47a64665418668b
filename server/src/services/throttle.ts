import type { Core } from '@strapi/strapi';
import { UID, getService } from '../utils/plugin';
import { affected, columnOf, tableOf, toNumber } from '../utils/db';

export type Reservation = { ok: true; locksNow: boolean } | { ok: false; retryAfter: number };

/**
 * One failure counter per account, shared by every factor and challenge (SECURITY.md R1).
 *
 * An attempt is counted *before* the code is checked ("reserve"), in one UPDATE guarded by
 * `locked_until IS NULL`: so N parallel guesses are counted exactly, the lock engages at exactly
 * the Nth, and no code is ever checked while the account is locked — on one process or many.
 * A success resets the counter.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const t = () => tableOf(strapi, UID.throttle);
  const c = (attr: string) => columnOf(strapi, UID.throttle, attr);
  const knex = () => strapi.db.connection;

  const ensureRow = async (userId: number) => {
    const existing = await strapi.db.query(UID.throttle).findOne({ where: { userId }, select: ['id'] });
    if (existing) return;
    try {
      await strapi.db.query(UID.throttle).create({ data: { userId, failures: 0, lockedUntil: null } });
    } catch (error) {
      // A parallel request created it first (unique index on user_id): that row is ours too.
      const again = await strapi.db.query(UID.throttle).findOne({ where: { userId }, select: ['id'] });
      if (!again) throw error;
    }
  };

  return {
    async reserve(userId: number): Promise<Reservation> {
      const settings = await getService(strapi, 'settings').get();
      const now = Date.now();
      await ensureRow(userId);
      // An expired lock starts a fresh count.
      await knex()(t())
        .where(c('userId'), userId)
        .whereNotNull(c('lockedUntil'))
        .where(c('lockedUntil'), '<=', now)
        .update({ [c('failures')]: 0, [c('lockedUntil')]: null });

      const lockUntil = now + settings.lockDuration * 1000;
      // locked_until is assigned first: MySQL evaluates SET left to right with new values.
      const count = affected(
        await knex()(t())
          .where(c('userId'), userId)
          .whereNull(c('lockedUntil'))
          .update({
            // ELSE the column itself (NULL here, see WHERE): PostgreSQL then types the bound
            // time as the column's bigint; `ELSE NULL` leaves it text and the UPDATE fails.
            [c('lockedUntil')]: knex().raw(`CASE WHEN ?? + 1 >= ? THEN ? ELSE ?? END`, [
              c('failures'),
              settings.maxFailures,
              lockUntil,
              c('lockedUntil'),
            ]),
            [c('failures')]: knex().raw('?? + 1', [c('failures')]),
          })
      );
      if (count === 1) {
        const row = await this.state(userId);
        return { ok: true, locksNow: row.lockedUntil !== null };
      }
      const row = await this.state(userId);
      const retryAfter = Math.max(1, Math.ceil(((row.lockedUntil ?? now + 1000) - now) / 1000));
      return { ok: false, retryAfter };
    },

    /** A verified second factor clears the count and any lock its own attempt set. */
    async succeed(userId: number) {
      await strapi.db.query(UID.throttle).updateMany({
        where: { userId },
        data: { failures: 0, lockedUntil: null },
      });
    },

    async state(userId: number): Promise<{ failures: number; lockedUntil: number | null }> {
      const row = await strapi.db
        .query(UID.throttle)
        .findOne({ where: { userId }, select: ['failures', 'lockedUntil'] });
      const lockedUntil = toNumber(row?.lockedUntil);
      return {
        failures: toNumber(row?.failures) ?? 0,
        lockedUntil: lockedUntil !== null && lockedUntil > Date.now() ? lockedUntil : null,
      };
    },

    async clear(userId: number) {
      await strapi.db.query(UID.throttle).deleteMany({ where: { userId } });
    },
  };
};
