import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { decryptSecret, verifyTotp } from '../core';
import { UID, getService } from '../utils/plugin';
import { lockedError } from './throttle';
import type { RequestMeta } from '../utils/request-meta';

export type FactorMethod = 'totp' | 'email' | 'sms' | 'backup_code';
export const FACTOR_METHODS: FactorMethod[] = ['totp', 'email', 'sms', 'backup_code'];

export const INVALID_CODE = 'Invalid two-factor code';

export interface VerifyInput {
  userId: number;
  code: unknown;
  /** Left out: every confirmed method of the user is tried, then backup codes. */
  method?: FactorMethod;
  meta?: RequestMeta;
  /** The pending login being completed: emailed and texted login codes live on it. */
  challenge?: { id: number };
  /** Runs in the attempt's transaction after a match (see attempt). */
  onSuccess?: () => Promise<void>;
}

/**
 * The one place that decides whether a second factor is right. Every attempt is counted by the
 * account throttle first; a wrong, malformed or replayed code gets one generic error (T5).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const audit = () => getService(strapi, 'audit');

  const matchTotp = async (factor: any, code: unknown): Promise<boolean> => {
    const { totpWindow } = await getService(strapi, 'settings').get();
    let secret: string;
    try {
      secret = decryptSecret(factor.secret, getService(strapi, 'keys').get().secrets);
    } catch {
      strapi.log.error(`two-factor: TOTP secret of factor ${factor.id} cannot be decrypted (wrong key?)`);
      return false;
    }
    const lastUsedStep = factor.lastUsedStep === null || factor.lastUsedStep === undefined ? undefined : Number(factor.lastUsedStep);
    const result = verifyTotp(secret, code, { window: totpWindow, afterTimeStep: lastUsedStep });
    if (!result.valid) return false;
    // Compare-and-set on the stored step: of two requests with one code, exactly one wins (T3).
    const { count } = await strapi.db.query(UID.factor).updateMany({
      where: { id: factor.id, $or: [{ lastUsedStep: null }, { lastUsedStep: { $lt: result.timeStep } }] },
      data: { lastUsedStep: result.timeStep },
    });
    return count === 1;
  };

  const confirmedTotp = (userId: number) =>
    strapi.db.query(UID.factor).findOne({ where: { userId, method: 'totp', confirmedAt: { $notNull: true } } });

  const tryMethod = async (userId: number, method: FactorMethod, code: unknown, challenge?: { id: number }): Promise<boolean> => {
    switch (method) {
      case 'totp': {
        const factor = await confirmedTotp(userId);
        return factor ? matchTotp(factor, code) : false;
      }
      case 'backup_code':
        return getService(strapi, 'backupCodes').consume(userId, code);
      case 'email':
      case 'sms':
        return getService(strapi, 'otp').checkConfirmed(userId, method, code, challenge);
      default:
        return false;
    }
  };

  /**
   * Runs one counted attempt: reserve it, check, then reset or record the failure. All of it is
   * one transaction, so one commit instead of up to five (on SQLite every commit is a disk sync,
   * and that was most of a verify's time). The answer is thrown only after the commit, so a
   * failed attempt stays counted. `onSuccess` (the login's single-use consumption) runs in the
   * same transaction after a match; what it throws is thrown after the commit too, so the
   * matched code stays spent exactly as when it ran on its own afterwards.
   */
  const attempt = async (
    userId: number,
    meta: RequestMeta | undefined,
    method: string | undefined,
    check: () => Promise<FactorMethod | null>,
    onSuccess?: () => Promise<void>
  ): Promise<FactorMethod> => {
    const throttle = getService(strapi, 'throttle');
    const gate = await throttle.open(userId);
    const outcome = gate.ok
      ? await strapi.db.transaction(async () => {
          const reservation = await throttle.reserve(userId, gate);
          if (!reservation.ok) return { reservation, matched: null, late: null };
          const matched = await check();
          let late: unknown = null;
          if (matched) {
            await throttle.succeed(userId);
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
            if (reservation.locksNow) {
              await audit().record('lockout', { userId, meta });
              await getService(strapi, 'notifications').notify('lockout', { userId, meta });
            }
          }
          return { reservation, matched, late };
        })
      : { reservation: gate, matched: null, late: null };
    const { reservation, matched, late } = outcome;
    if (!reservation.ok) {
      throw lockedError(reservation.retryAfter);
    }
    if (late) throw late;
    if (matched) return matched;
    throw new errors.ValidationError(INVALID_CODE);
  };

  return {
    matchTotp,
    attempt,

    /** Methods the user can answer a login with: confirmed factors, then backup codes if any left. */
    async loginMethods(userId: number): Promise<FactorMethod[]> {
      const factors = await getService(strapi, 'factors').confirmedMethods(userId);
      const backups = await getService(strapi, 'backupCodes').remaining(userId);
      return [...factors, ...(backups > 0 ? (['backup_code'] as const) : [])];
    },

    /** Verifies a current second factor of the user or throws (400 generic, or 429 when locked). */
    async verify({ userId, code, method, meta, challenge, onSuccess }: VerifyInput): Promise<FactorMethod> {
      const check = async (): Promise<FactorMethod | null> => {
        const candidates = method ? [method] : await this.loginMethods(userId);
        for (const candidate of candidates) {
          if (await tryMethod(userId, candidate, code, challenge)) {
            if (candidate === 'backup_code') {
              const remaining = await getService(strapi, 'backupCodes').remaining(userId);
              await audit().record('backup_code.used', { userId, method: candidate, meta, details: { remaining } });
              // Sent once the attempt's transaction commits (never from inside it).
              await getService(strapi, 'notifications').notify('backup_code.used', { userId, method: candidate, meta, remaining });
            }
            return candidate;
          }
        }
        return null;
      };
      return attempt(userId, meta, method, check, onSuccess);
    },
  };
};
