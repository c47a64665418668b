import type { Core } from '@strapi/strapi';
import { decryptSecret, verifyTotp } from '../core';
import { UID, getService } from '../utils/plugin';
import type { RequestMeta } from '../utils/request-meta';
import { PASSKEY, type FactorMethod, type Method } from '../vocabulary';
import type { PreparedAssertion } from './passkeys';

export interface VerifyInput {
  userId: number;
  code: unknown;
  /** Left out: every confirmed method of the user is tried, then backup codes. */
  method?: FactorMethod;
  meta?: RequestMeta;
  /** The pending login being completed: emailed and texted login codes live on it. */
  challenge?: { id: number };
  /** Runs in the attempt's transaction after a match (see attempts.run). */
  onSuccess?: () => Promise<void>;
  /** A passkey assertion already read and verified before the attempt's transaction (verify does it). */
  prepared?: PreparedAssertion;
  /** The user's confirmed factors, when the caller read them already (a login's verify, with its challenge). */
  factors?: ConfirmedFactor[];
}

/** A confirmed factor as an attempt checks it. */
export type ConfirmedFactor = { id: number; method: string; secret: string; lastUsedStep?: unknown };

/**
 * The one place that decides whether a code proves one of the user's confirmed factors, and
 * which factors those are. `verify` is that decision as a counted attempt (attempts.run).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const audit = () => getService(strapi, 'audit');

  /** Whether `code` is the factor's next TOTP code; the step it used is taken by exactly one caller (replays fail). */
  const matchTotp = async (factor: { id: number; secret: string; lastUsedStep?: unknown }, code: unknown): Promise<boolean> => {
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
    // Compare-and-set on the stored step: of two requests with one code, exactly one wins.
    const { count } = await strapi.db.query(UID.factor).updateMany({
      where: { id: factor.id, $or: [{ lastUsedStep: null }, { lastUsedStep: { $lt: result.timeStep } }] },
      data: { lastUsedStep: result.timeStep },
    });
    return count === 1;
  };

  /** What a pending login's passkey assertion is checked against: its challenge is bound to that login. */
  const passkeyAssertion = (userId: number, response: unknown, challenge: { id: number }) => ({
    purpose: 'passkey-login' as const,
    binding: `login:${challenge.id}`,
    userId,
    response,
    requireUserVerification: false,
  });

  /** The user's confirmed factors, oldest first: one read serves every method an attempt tries. */
  type Factor = ConfirmedFactor;
  const confirmedFactors = (userId: number): Promise<Factor[]> =>
    strapi.db.query(UID.factor).findMany({ where: { userId, confirmedAt: { $notNull: true } }, orderBy: { id: 'asc' } });

  const tryMethod = async (
    userId: number,
    method: FactorMethod,
    code: unknown,
    factors: Factor[],
    challenge?: { id: number },
    meta?: RequestMeta,
    prepared?: PreparedAssertion
  ): Promise<boolean> => {
    switch (method) {
      case 'passkey': {
        // An assertion answers the one pending login whose challenge it signed; no step-up takes one.
        if (!challenge || typeof code !== 'object' || code === null) return false;
        const passkeys = getService(strapi, 'passkeys');
        if (!(await passkeys.usable())) return false;
        const outcome = prepared
          ? await passkeys.commitAssertion(prepared, { userId, meta })
          : await passkeys.checkAssertion({ ...passkeyAssertion(userId, code, challenge), meta });
        return outcome.ok;
      }
      case 'totp': {
        const factor = factors.find((row) => row.method === 'totp');
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

  return {
    matchTotp,
    confirmedFactors,

    /** The user's confirmed methods, in the order they were added (a pending enrolment counts for nothing). */
    async confirmedMethods(userId: number): Promise<Method[]> {
      const rows = await strapi.db.query(UID.factor).findMany({
        where: { userId, confirmedAt: { $notNull: true } },
        select: ['method'],
        orderBy: { id: 'asc' },
      });
      return [...new Set(rows.map((row: { method: Method }) => row.method))];
    },

    async hasConfirmed(userId: number): Promise<boolean> {
      return (await strapi.db.query(UID.factor).count({ where: { userId, confirmedAt: { $notNull: true } } })) > 0;
    },

    /**
     * Methods the user can answer a login with: confirmed factors, then backup codes if any left.
     * Passkeys only while the site offers them (configured and switched on): the browser needs
     * the relying party to answer at all.
     */
    async loginMethods(userId: number): Promise<FactorMethod[]> {
      const confirmed = await this.confirmedMethods(userId);
      const passkeysUsable = confirmed.includes(PASSKEY) && (await getService(strapi, 'passkeys').usable());
      const methods = confirmed.filter((method) => method !== PASSKEY || passkeysUsable);
      const backups = await getService(strapi, 'backupCodes').remaining(userId);
      return [...methods, ...(backups > 0 ? (['backup_code'] as const) : [])];
    },

    /** The method `code` proves (the named one, or the first of the user's that matches), or null. Spends what matched. */
    async match({ userId, code, method, meta, challenge, prepared, factors: known }: VerifyInput): Promise<FactorMethod | null> {
      // Read before the attempt, the factors are checked inside it by compare-and-set (a removed
      // factor's row, or a step another request took, updates nothing).
      const factors = method === 'backup_code' || method === PASSKEY ? [] : (known ?? (await confirmedFactors(userId)));
      // Unnamed: each factor in the order added, then backup codes (a code that is not one costs no statement there).
      const candidates = method ? [method] : [...new Set(factors.map((row) => row.method as FactorMethod)), 'backup_code' as const];
      for (const candidate of candidates) {
        if (!(await tryMethod(userId, candidate, code, factors, challenge, meta, prepared))) continue;
        if (candidate === 'backup_code') {
          const remaining = await getService(strapi, 'backupCodes').remaining(userId);
          await audit().record('backup_code.used', { userId, method: candidate, meta, details: { remaining } });
          // Sent once the attempt's transaction commits (never from inside it).
          await getService(strapi, 'notifications').notify('backup_code.used', { userId, method: candidate, meta, remaining });
        }
        return candidate;
      }
      return null;
    },

    /** Verifies a current second factor of the user, as a counted attempt, or throws (INVALID_CODE, LOCKED). */
    async verify(input: VerifyInput): Promise<FactorMethod> {
      // A passkey's reads and signature check run before the attempt's transaction, which then
      // only consumes the challenge and moves the counter: the transaction stays as short as a code's.
      const prepared =
        input.method === PASSKEY && input.challenge && typeof input.code === 'object' && input.code !== null
          ? await getService(strapi, 'passkeys').prepareAssertion(passkeyAssertion(input.userId, input.code, input.challenge))
          : undefined;
      return getService(strapi, 'attempts').run({
        userId: input.userId,
        meta: input.meta,
        method: input.method,
        check: () => this.match({ ...input, prepared }),
        onSuccess: input.onSuccess,
      });
    },
  };
};
