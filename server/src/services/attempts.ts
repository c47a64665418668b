import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';

export interface Attempt<M extends string> {
  userId: number;
  meta?: RequestMeta;
  /** The method the caller named, for the audit of a failure; left out when every method is tried. */
  method?: string;
  /** Whether the code is right: the method it matched, or null. */
  check: () => Promise<M | null>;
  /** Runs in the attempt's transaction after a match (a pending login's single-use consumption). */
  onSuccess?: () => Promise<void>;
}

/**
 * One counted attempt at a second factor, whatever checks the code: the account's throttle gate,
 * the check, then the reset (success) or the failure with its audit and, when it locks the
 * account, the lockout audit and notice. A wrong, malformed or replayed code gets one generic
 * error. Login, enrolment, step-up and the dialects all count here, so the lockout is one count
 * per account.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const throttle = () => getService(strapi, 'throttle');
  const audit = () => getService(strapi, 'audit');

  return {
    /**
     * Runs one attempt as a single transaction: one commit instead of up to five (on SQLite every
     * commit is a disk sync, and that was most of a verify's time). The answer is thrown only
     * after the commit, so a failed attempt stays counted. `onSuccess` runs in the same
     * transaction after a match; what it throws is thrown after the commit too, so the matched
     * code stays spent exactly as when it ran on its own afterwards.
     */
    async run<M extends string>({ userId, meta, method, check, onSuccess }: Attempt<M>): Promise<M> {
      // Read before the transaction: on MariaDB its snapshot must start at the counting UPDATE.
      const { maxFailures, lockDuration } = await getService(strapi, 'settings').get();
      const attempt = () =>
        strapi.db.transaction(async () => {
          const reservation = await throttle().reserve(userId, { maxFailures, lockDuration });
          if (!reservation.ok) return { reservation, matched: null, late: null };
          const matched = await check();
          let late: unknown = null;
          if (matched) {
            await throttle().succeed(userId);
            await audit().record('verify.succeeded', { userId, method: matched, meta });
            if (onSuccess) {
              try {
                await onSuccess();
              } catch (error) {
                late = error;
              }
            }
          } else {
            await audit().record('verify.failed', { userId, method: method ?? null, meta });
            if (await reservation.locksNow()) {
              await audit().record('lockout', { userId, meta });
              await getService(strapi, 'notifications').notify('lockout', { userId, meta });
            }
          }
          return { reservation, matched, late };
        });
      let outcome = await attempt();
      // The account's first attempt: its counter row is made outside the transaction, then counted.
      if ('missing' in outcome.reservation) {
        await throttle().ensureRow(userId);
        outcome = await attempt();
      }
      const { reservation, matched, late } = outcome;
      if (!reservation.ok) throw twoFactorError('LOCKED', undefined, { retryAfter: 'retryAfter' in reservation ? reservation.retryAfter : 1 });
      if (late) throw late;
      if (matched) return matched;
      throw twoFactorError('INVALID_CODE');
    },

    /** Refuses (LOCKED) while the account is locked: no code is sent to a locked account either. */
    async assertUnlocked(userId: number) {
      const { lockedUntil } = await throttle().state(userId);
      if (lockedUntil) throw twoFactorError('LOCKED', undefined, { retryAfter: throttle().retryAfter(lockedUntil) });
    },
  };
};
