import type { Core } from '@strapi/strapi';
import { UID } from '../utils/plugin';
import { affected, columnOf, findOrCreate, integer, tableOf, toNumber, withKnex } from '../utils/db';

const KNOWN_LOCK_MS = 1000;
const KNOWN_LOCKS_MAX = 10_000;

/** Seconds until a lock ends, at least 1. */
const retryAfter = (lockedUntil: number | null, now = Date.now()) =>
  Math.max(1, Math.ceil(((lockedUntil ?? now + 1000) - now) / 1000));

/**
 * What counting one attempt found: counted (`locksNow`: whether this count locked the account,
 * asked only after a failure), locked, or no row yet for the account (made outside the attempt).
 */
export type Reservation =
  | { ok: true; locksNow: () => Promise<boolean> }
  | { ok: false; retryAfter: number }
  | { ok: false; missing: true };
type Limits = { maxFailures: number; lockDuration: number };

/**
 * One failure counter per account, shared by every factor and challenge; starting a new login
 * does not reset it, a verified factor does.
 *
 * An attempt is counted *before* the code is checked ("reserve"), in one UPDATE guarded by
 * the lock: so N parallel guesses are counted exactly, the lock engages at exactly
 * the Nth, and no code is ever checked while the account is locked — on one process or many.
 * A success resets the counter.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  /**
   * Locks this process read or set in the last second, by user: a guess at a locked account is
   * answered before any read (an attack's guesses then cost others nothing). Kept one second, so
   * an unlock by another process is seen within a second; a lock is only ever remembered from the
   * database, so the memory can only answer LOCKED for a lock that was there a moment ago.
   */
  const knownLocks = new Map<number, { until: number; seenAt: number }>();
  const remember = (userId: number, lockedUntil: number | null) => {
    if (lockedUntil === null) {
      knownLocks.delete(userId);
      return;
    }
    // Bounded: an attack on many accounts at once forgets the oldest first.
    if (knownLocks.size >= KNOWN_LOCKS_MAX) knownLocks.delete(knownLocks.keys().next().value as number);
    knownLocks.set(userId, { until: lockedUntil, seenAt: Date.now() });
  };
  const t = () => tableOf(strapi, UID.throttle);
  const c = (attr: string) => columnOf(strapi, UID.throttle, attr);
  const raw = <T>(fn: (knex: any) => Promise<T>) => withKnex(strapi, fn);

  /** Makes the account's row on its first attempt, outside any transaction (a conflicting insert would abort a PostgreSQL one). */
  const ensureRow = (userId: number) =>
    findOrCreate(strapi, UID.throttle, { userId }, { userId, failures: 0, lockedUntil: null }, ['id']);

  /** The account's row as stored (null: none yet), with a lock that has ended read as none. */
  const readRow = async (userId: number): Promise<{ failures: number; lockedUntil: number | null } | null> => {
    const row = await strapi.db.query(UID.throttle).findOne({ where: { userId }, select: ['failures', 'lockedUntil'] });
    if (!row) return null;
    const stored = toNumber(row.lockedUntil);
    const lockedUntil = stored !== null && stored > Date.now() ? stored : null;
    remember(userId, lockedUntil);
    return { failures: toNumber(row.failures) ?? 0, lockedUntil };
  };

  return {
    /** Seconds until the lock this process knows of ends, with no read; null: none known (maybe one in the database). */
    knownLock(userId: number): number | null {
      const known = knownLocks.get(userId);
      if (!known) return null;
      const now = Date.now();
      if (known.until <= now || now - known.seenAt > KNOWN_LOCK_MS) {
        knownLocks.delete(userId);
        return null;
      }
      return retryAfter(known.until, now);
    },

    ensureRow,

    /**
     * Counts one attempt in one conditional UPDATE, the first statement of the attempt's
     * transaction: attempts of one account queue on its row here, and on MariaDB (repeatable
     * read) the snapshot is taken only after it, so what the attempt reads next includes the
     * attempt before it. The WHERE is the gate (no lock, or an expired one, which starts a fresh
     * count); the SET counts and sets the lock at exactly the `maxFailures`th failure. Raw knex,
     * because the query engine cannot express arithmetic in SET. Zero rows: locked, or no row yet.
     */
    async reserve(userId: number, limits: Limits): Promise<Reservation> {
      const now = Date.now();
      const lockUntil = integer(now + limits.lockDuration * 1000);
      const max = integer(limits.maxFailures);
      const mysql = strapi.db.dialect.client === 'mysql';
      const [failures, lockedUntil] = [c('failures'), c('lockedUntil')];
      const result = await raw((knex) => {
        // Integer literals, not bindings: PostgreSQL types a bound THEN value as text.
        const counted = knex.raw(`CASE WHEN ?? IS NULL THEN ?? ELSE 0 END + 1`, [lockedUntil, failures]);
        // MySQL evaluates SET left to right with the new values, the others with the old ones.
        const set = mysql
          ? { [failures]: counted, [lockedUntil]: knex.raw(`CASE WHEN ?? >= ${max} THEN ${lockUntil} ELSE NULL END`, [failures]) }
          : {
              [lockedUntil]: knex.raw(`CASE WHEN CASE WHEN ?? IS NULL THEN ?? ELSE 0 END + 1 >= ${max} THEN ${lockUntil} ELSE NULL END`, [lockedUntil, failures]),
              [failures]: counted,
            };
        const query = knex(t())
          .where(c('userId'), userId)
          .where((q: any) => q.whereNull(lockedUntil).orWhere(lockedUntil, '<=', now))
          .update(set);
        // RETURNING says whether this count locked; MySQL has none for UPDATE, so it reads back after a failure.
        return mysql ? query : query.returning([lockedUntil]);
      });
      if (affected(result) === 1) {
        if (!Array.isArray(result)) return { ok: true, locksNow: async () => (await this.state(userId)).lockedUntil !== null };
        const locked = toNumber(result[0]?.[lockedUntil]);
        remember(userId, locked);
        return { ok: true, locksNow: async () => locked !== null };
      }
      const row = await readRow(userId);
      if (!row) return { ok: false, missing: true };
      return { ok: false, retryAfter: retryAfter(row.lockedUntil, now) };
    },

    /** A verified second factor clears the count and any lock its own attempt set. */
    async succeed(userId: number) {
      knownLocks.delete(userId);
      await strapi.db.query(UID.throttle).updateMany({
        where: { userId },
        data: { failures: 0, lockedUntil: null },
      });
    },

    retryAfter,

    async state(userId: number): Promise<{ failures: number; lockedUntil: number | null }> {
      const row = await readRow(userId);
      return { failures: row?.failures ?? 0, lockedUntil: row?.lockedUntil ?? null };
    },

    async clear(userId: number) {
      knownLocks.delete(userId);
      await strapi.db.query(UID.throttle).deleteMany({ where: { userId } });
    },
  };
};
