import type { Core } from '@strapi/strapi';
import { UID, getService } from '../utils/plugin';
import { affected, columnOf, tableOf, toNumber } from '../utils/db';

/** A number going into SQL text must be a plain integer. */
const integer = (value: number): number => {
  if (!Number.isSafeInteger(value)) throw new TypeError('Expected an integer');
  return value;
};

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
  // Raw statements join the caller's transaction when there is one (the query engine does the
  // same; Strapi keeps the transaction in async context and hands it to a nested callback).
  const raw = async <T>(fn: (knex: any) => Promise<T>): Promise<T> => {
    if (!strapi.db.inTransaction()) return fn(strapi.db.connection);
    return (await strapi.db.transaction(({ trx }: any) => fn(trx))) as T;
  };

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
    ensureRow,

    async reserve(userId: number): Promise<Reservation> {
      const settings = await getService(strapi, 'settings').get();
      const now = Date.now();
      await ensureRow(userId);
      // An expired lock starts a fresh count.
      await raw((knex) =>
        knex(t())
          .where(c('userId'), userId)
          .whereNotNull(c('lockedUntil'))
          .where(c('lockedUntil'), '<=', now)
          .update({ [c('failures')]: 0, [c('lockedUntil')]: null })
      );

      const lockUntil = now + settings.lockDuration * 1000;
      // locked_until is assigned first: MySQL evaluates SET left to right with new values.
      const count = affected(
        await raw((knex) =>
          knex(t())
            .where(c('userId'), userId)
            .whereNull(c('lockedUntil'))
            .update({
              // Integer literals, not bindings: PostgreSQL types a bound THEN value as text.
              [c('lockedUntil')]: knex.raw(
                `CASE WHEN ?? + 1 >= ${integer(settings.maxFailures)} THEN ${integer(lockUntil)} ELSE NULL END`,
                [c('failures')]
              ),
              [c('failures')]: knex.raw('?? + 1', [c('failures')]),
            })
        )
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
