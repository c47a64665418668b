import type { Core } from '@strapi/strapi';
import { UID, getService } from '../utils/plugin';
import { affected, columnOf, findOrCreate, integer, tableOf, toNumber, withKnex } from '../utils/db';

const KNOWN_LOCK_MS = 1000;
const KNOWN_LOCKS_MAX = 10_000;

/** Seconds until a lock ends, at least 1. */
const retryAfter = (lockedUntil: number | null, now = Date.now()) =>
  Math.max(1, Math.ceil(((lockedUntil ?? now + 1000) - now) / 1000));

/** `locksNow()` reads whether this attempt's count locked the account (only a failure needs to know). */
export type Reservation = { ok: true; locksNow: () => Promise<boolean> } | { ok: false; retryAfter: number };
/** What open() found; `limits` are the settings the attempt is counted with. */
export type Gate = { ok: true; expiredLock: boolean; limits: Limits } | { ok: false; retryAfter: number };
type Limits = { maxFailures: number; lockDuration: number };

/**
 * One failure counter per account, shared by every factor and challenge; starting a new login
 * does not reset it, a verified factor does.
 *
 * An attempt is counted *before* the code is checked ("reserve"), in one UPDATE guarded by
 * `locked_until IS NULL`: so N parallel guesses are counted exactly, the lock engages at exactly
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

  /** The account's row (made on first use) and its lock as stored. */
  const ensureRow = async (userId: number): Promise<{ lockedUntil: number | null }> => {
    const row = await findOrCreate(strapi, UID.throttle, { userId }, { userId, failures: 0, lockedUntil: null }, ['id', 'lockedUntil']);
    const lockedUntil = toNumber(row.lockedUntil);
    remember(userId, lockedUntil !== null && lockedUntil > Date.now() ? lockedUntil : null);
    return { lockedUntil };
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

    /**
     * Before an attempt, outside any transaction (a conflicting first insert would abort a
     * PostgreSQL one): makes the row, and answers a locked account from this one read, so a
     * brute force against a locked account costs no write.
     */
    async open(userId: number): Promise<Gate> {
      const { lockedUntil } = await ensureRow(userId);
      const now = Date.now();
      if (lockedUntil !== null && lockedUntil > now) return { ok: false, retryAfter: retryAfter(lockedUntil, now) };
      const { maxFailures, lockDuration } = await getService(strapi, 'settings').get();
      return { ok: true, expiredLock: lockedUntil !== null, limits: { maxFailures, lockDuration } };
    },

    /**
     * Counts one attempt; `gate` is what open() answered for it. Inside an attempt's transaction
     * its first statement is this locking UPDATE of the account's row: attempts of one account
     * queue here, and on MariaDB (repeatable read) the transaction's snapshot is taken only after
     * it, so what the attempt reads next includes the attempt before it (open() already read the
     * settings, outside).
     */
    async reserve(userId: number, gate: Gate): Promise<Reservation> {
      if (!gate.ok) return gate;
      const settings = gate.limits;
      const now = Date.now();
      // An expired lock starts a fresh count.
      if (gate.expiredLock) {
        await raw((knex) =>
          knex(t())
            .where(c('userId'), userId)
            .whereNotNull(c('lockedUntil'))
            .where(c('lockedUntil'), '<=', now)
            .update({ [c('failures')]: 0, [c('lockedUntil')]: null })
        );
      }

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
        // Read back only on a failure: the row is this transaction's until it commits.
        return { ok: true, locksNow: async () => (await this.state(userId)).lockedUntil !== null };
      }
      const row = await this.state(userId);
      remember(userId, row.lockedUntil);
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
      const row = await strapi.db
        .query(UID.throttle)
        .findOne({ where: { userId }, select: ['failures', 'lockedUntil'] });
      const lockedUntil = toNumber(row?.lockedUntil);
      remember(userId, lockedUntil !== null && lockedUntil > Date.now() ? lockedUntil : null);
      return {
        failures: toNumber(row?.failures) ?? 0,
        lockedUntil: lockedUntil !== null && lockedUntil > Date.now() ? lockedUntil : null,
      };
    },

    async clear(userId: number) {
      knownLocks.delete(userId);
      await strapi.db.query(UID.throttle).deleteMany({ where: { userId } });
    },
  };
};
