import type { Core } from '@strapi/strapi';
import { UID } from '../utils/plugin';
import { affected, columnOf, findOrCreate, integer, tableOf, toNumber, withKnex } from '../utils/db';

export type Hit = { ok: true } | { ok: false; retryAfter: number };

/**
 * Fixed-window counters in the database, keyed by name (`user:42`, `ip:203.0.113.7`), for the
 * send limits of emailed and texted codes. A hit is one guarded UPDATE, so N parallel requests against a
 * limit of M get exactly min(N, M) passes, on one process or many.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const t = () => tableOf(strapi, UID.rateLimit);
  const c = (attr: string) => columnOf(strapi, UID.rateLimit, attr);
  const rows = () => strapi.db.query(UID.rateLimit);

  const ensureRow = (key: string, now: number) =>
    findOrCreate(strapi, UID.rateLimit, { bucket: key }, { bucket: key, hits: 0, windowStart: now }, ['id']);

  /** One more hit on the row, past a window that ended or under the limit: whether it counted. */
  const count = async (key: string, max: number, windowSeconds: number, now: number): Promise<boolean> => {
    await ensureRow(key, now);
    const staleBefore = integer(now - windowSeconds * 1000);
    // A window that ended starts again at 1; otherwise one more, while under the limit.
    // `hits` is set first: MySQL evaluates SET left to right and window_start is still the old one.
    const updated = await withKnex(strapi, (knex) =>
      knex(t())
        .where(c('bucket'), key)
        .where((q: any) => q.where(c('windowStart'), '<=', staleBefore).orWhere(c('hits'), '<', integer(max)))
        .update({
          [c('hits')]: knex.raw(`CASE WHEN ?? <= ${staleBefore} THEN 1 ELSE ?? + 1 END`, [c('windowStart'), c('hits')]),
          [c('windowStart')]: knex.raw(`CASE WHEN ?? <= ${staleBefore} THEN ${integer(now)} ELSE ?? END`, [
            c('windowStart'),
            c('windowStart'),
          ]),
        })
    );
    return affected(updated) === 1;
  };

  return {
    async hit(key: string, max: number, windowSeconds: number): Promise<Hit> {
      const now = Date.now();
      if (await count(key, max, windowSeconds, now)) return { ok: true };
      let row = await rows().findOne({ where: { bucket: key }, select: ['windowStart'] });
      // The clean-up job removed a stale row between the two statements: count on a new one.
      if (!row) {
        if (await count(key, max, windowSeconds, now)) return { ok: true };
        row = await rows().findOne({ where: { bucket: key }, select: ['windowStart'] });
      }
      const windowStart = toNumber(row?.windowStart) ?? now;
      return { ok: false, retryAfter: Math.max(1, Math.ceil((windowStart + windowSeconds * 1000 - now) / 1000)) };
    },

    /** Drops counters whose window ended long ago (the clean-up job; a row per IP would otherwise stay forever). */
    async prune(olderThanSeconds: number) {
      await rows().deleteMany({ where: { windowStart: { $lt: Date.now() - olderThanSeconds * 1000 } } });
    },

    /** Gives a hit back (the send it paid for never happened). */
    async refund(key: string) {
      await withKnex(strapi, (knex) =>
        knex(t())
          .where(c('bucket'), key)
          .where(c('hits'), '>', 0)
          .update({ [c('hits')]: knex.raw('?? - 1', [c('hits')]) })
      );
    },
  };
};
