import type { Core } from '@strapi/strapi';
import { generateNumericCode, hashOtpCode, minutesOf, normalizeNumericCode, safeEqualHex } from '../core';
import type { PluginConfig } from '../config';
import { UID, getService, PLUGIN_ID } from '../utils/plugin';
import { affected, columnOf, findOrCreate, tableOf, toNumber, withKnex } from '../utils/db';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';
import type { CodeMethod } from '../vocabulary';

type CodePurpose = 'login' | 'enrol' | 'step-up';

const CODE_DIGITS = 6;

/** The challenge row a code is sent on: its id, its nonce (bound into the hash), its last send. */
export interface CodeRow {
  id: number;
  nonce: string;
  codeSentAt?: unknown;
}
const SENT_MESSAGE: Record<CodeMethod, string> = {
  email: 'Sent verify code via email',
  sms: 'Sent verify code via SMS',
};

const ACTION: Record<CodePurpose, Record<CodeMethod, string>> = {
  login: { email: 'sign in', sms: 'sign in' },
  enrol: {
    email: 'turn on two-factor sign-in with this email address',
    sms: 'turn on two-factor sign-in with this phone number',
  },
  'step-up': { email: 'confirm a change to your two-factor settings', sms: 'confirm a change to your two-factor settings' },
};

/** The one enrolment row per user and method, and the one step-up row per user (unique nonce). */
const standingNonce = (userId: number, purpose: 'enrol' | 'step-up', method: CodeMethod) =>
  purpose === 'enrol' ? `enrol:${userId}:${method}` : `step-up:${userId}`;

/**
 * Emailed and texted codes. A code lives on a challenge row: the pending login it signs in, the
 * user's enrolment of that method, or the user's step-up (a signed-in user proving a factor to
 * change their 2FA). Only an HMAC of the code is stored, bound to the row, the method and the
 * address it was sent to, so a code proves that address.
 *
 * Every rule is one guarded UPDATE of that row: a send claims it past the resend cooldown
 * (replacing the previous code), a guess is counted against the code before it is compared (a
 * code dies after a few wrong ones), and a right code is cleared by exactly one request.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const challenges = () => strapi.db.query(UID.challenge);
  const t = () => tableOf(strapi, UID.challenge);
  const c = (attr: string) => columnOf(strapi, UID.challenge, attr);

  const hashFor = (code: string, row: CodeRow, method: CodeMethod, destination: string) =>
    hashOtpCode(code, `${row.nonce}:${method}:${destination}`, getService(strapi, 'keys').get().codeHmac);

  /** Per-account and per-IP send limits; the hits are given back if the send does not happen. */
  const takeSendAllowance = async (userId: number, meta?: RequestMeta): Promise<() => Promise<void>> => {
    const { perAccount, perIp } = config().sendLimits;
    const limits = getService(strapi, 'rateLimits');
    const taken: string[] = [];
    const refund = async () => {
      for (const key of taken) await limits.refund(key);
    };
    const buckets: [string, { max: number; window: number }][] = [[`user:${userId}`, perAccount]];
    if (meta?.ip) buckets.push([`ip:${meta.ip}`, perIp]);
    for (const [key, limit] of buckets) {
      const hit = await limits.hit(key, limit.max, limit.window);
      if (!hit.ok) {
        await refund();
        throw twoFactorError('SEND_LIMIT', undefined, { retryAfter: hit.retryAfter });
      }
      taken.push(key);
    }
    return refund;
  };

  const standingRow = (userId: number, purpose: 'enrol' | 'step-up', method: CodeMethod) => {
    const nonce = standingNonce(userId, purpose, method);
    return findOrCreate(
      strapi,
      UID.challenge,
      { nonce },
      { nonce, purpose, userId, method, expiresAt: Date.now() + config().sendLimits.cooldown * 1000 + 60_000, attempts: 0, sendCount: 0 }
    );
  };

  /**
   * Sends a fresh code for `row`: account lock, send limits, then the cooldown claim (which
   * kills the previous code), then delivery. A failed delivery kills the new code too and gives
   * back the cooldown and the send allowance, so the user can retry at once.
   */
  const issue = async (row: CodeRow, input: { userId: number; method: CodeMethod; destination: string; purpose: CodePurpose; meta?: RequestMeta }) => {
    const { method, destination, purpose, userId } = input;
    await getService(strapi, 'attempts').assertUnlocked(userId);
    const refund = await takeSendAllowance(userId, input.meta);

    const settings = await getService(strapi, 'settings').get();
    const { cooldown } = config().sendLimits;
    const now = Date.now();
    const code = generateNumericCode(CODE_DIGITS);
    const codeHash = hashFor(code, row, method, destination);
    const previousSentAt = toNumber(row.codeSentAt);

    const claimed = affected(
      await withKnex(strapi, (knex) => {
        const claim = knex(t()).where(c('id'), row.id).whereNull(c('consumedAt'));
        if (cooldown > 0) {
          claim.where((q: any) => q.whereNull(c('codeSentAt')).orWhere(c('codeSentAt'), '<=', now - cooldown * 1000));
        }
        if (purpose === 'login') claim.where(c('expiresAt'), '>', now);
        return claim.update({
          [c('codeHash')]: codeHash,
          [c('method')]: method,
          [c('codeSentAt')]: now,
          [c('codeExpiresAt')]: now + settings.codeLifetime * 1000,
          [c('attempts')]: 0,
          [c('sendCount')]: knex.raw('COALESCE(??, 0) + 1', [c('sendCount')]),
          // An enrolment or step-up row lives as long as its code (and its cooldown).
          ...(purpose === 'login' ? {} : { [c('expiresAt')]: now + Math.max(settings.codeLifetime, cooldown) * 1000 }),
        });
      })
    );
    if (claimed !== 1) {
      await refund();
      const fresh = await challenges().findOne({ where: { id: row.id } });
      if (!fresh || fresh.consumedAt !== null || (purpose === 'login' && (toNumber(fresh.expiresAt) ?? 0) <= now)) {
        throw twoFactorError('PENDING_EXPIRED');
      }
      const sentAt = toNumber(fresh.codeSentAt) ?? now;
      const retryAfter = Math.max(1, Math.ceil((sentAt + cooldown * 1000 - now) / 1000));
      throw twoFactorError('RESEND_TOO_SOON', undefined, { retryAfter });
    }

    const vars = {
      appName: config().appName || settings.issuer,
      minutes: minutesOf(settings.codeLifetime),
      action: ACTION[purpose][method],
    };
    try {
      if (method === 'email') await getService(strapi, 'emailDelivery').sendCode({ to: destination, code, vars });
      else await getService(strapi, 'sms').sendCode({ to: destination, code, vars });
    } catch (error) {
      // Nothing was sent: the new code dies and the send does not count.
      await withKnex(strapi, (knex) =>
        knex(t())
          .where(c('id'), row.id)
          .where(c('codeHash'), codeHash)
          .update({
            [c('codeHash')]: null,
            [c('codeExpiresAt')]: null,
            [c('codeSentAt')]: previousSentAt,
            [c('sendCount')]: knex.raw('COALESCE(??, 1) - 1', [c('sendCount')]),
          })
      );
      await refund();
      throw error;
    }
    await getService(strapi, 'audit').record('code.sent', { userId, method, meta: input.meta, details: { purpose } });
  };

  /** Whether `code` is the live code of `row` for this method and address; counts the guess (O5). */
  const check = async (rowId: number, method: CodeMethod, destination: string, code: unknown): Promise<boolean> => {
    const normalized = normalizeNumericCode(code, CODE_DIGITS);
    if (!normalized) return false; // still a failure on the account counter (T5)
    const now = Date.now();
    const row = await challenges().findOne({ where: { id: rowId } });
    if (!row || !row.codeHash || row.method !== method || row.consumedAt !== null) return false;
    if ((toNumber(row.codeExpiresAt) ?? 0) <= now) return false;
    const { codeAttempts } = await getService(strapi, 'settings').get();
    const counted = affected(
      await withKnex(strapi, (knex) =>
        knex(t())
          .where(c('id'), row.id)
          .where(c('codeHash'), row.codeHash)
          .where(c('attempts'), '<', codeAttempts)
          .where(c('codeExpiresAt'), '>', now)
          .update({ [c('attempts')]: knex.raw('COALESCE(??, 0) + 1', [c('attempts')]) })
      )
    );
    if (counted !== 1) return false;
    if (!safeEqualHex(hashFor(normalized, row, method, destination), row.codeHash)) return false;
    const { count } = await challenges().updateMany({
      where: { id: row.id, codeHash: row.codeHash },
      data: { codeHash: null, codeExpiresAt: null },
    });
    return count === 1;
  };

  /** Where a confirmed method's codes go: the account's email address or the proven phone. */
  const confirmedDestination = async (userId: number, method: CodeMethod): Promise<string | null> => {
    const factor = await strapi.db.query(UID.factor).findOne({ where: { userId, method, confirmedAt: { $notNull: true } } });
    if (!factor) return null;
    if (method === 'sms') return factor.phone || null;
    const user = await strapi.db.query(UID.user).findOne({ where: { id: userId }, select: ['email'] });
    return user?.email || null;
  };

  const notEnabled = (method: CodeMethod) =>
    twoFactorError('METHOD_NOT_ENABLED', `${method === 'email' ? 'Email' : 'SMS'} two-factor is not enabled for this account`);

  return {
    /** A sign-in code for one of the user's confirmed methods, on the pending login `challenge` (login.sendCode). */
    async sendLogin(input: { challenge: CodeRow; userId: number; method: CodeMethod; meta?: RequestMeta }) {
      const destination = await confirmedDestination(input.userId, input.method);
      if (!destination) throw notEnabled(input.method);
      await issue(input.challenge, { userId: input.userId, method: input.method, destination, purpose: 'login', meta: input.meta });
      return { message: SENT_MESSAGE[input.method] };
    },

    /** `POST /send` by a signed-in user: a code to disable a method or regenerate backup codes (L1). */
    async sendStepUp(input: { userId: number; method: CodeMethod; meta?: RequestMeta }) {
      const destination = await confirmedDestination(input.userId, input.method);
      if (!destination) throw notEnabled(input.method);
      const row = await standingRow(input.userId, 'step-up', input.method);
      await issue(row, { userId: input.userId, method: input.method, destination, purpose: 'step-up', meta: input.meta });
      return { message: SENT_MESSAGE[input.method] };
    },

    /** The code that proves a new address or number during enrolment. */
    async sendEnrolment(input: { userId: number; method: CodeMethod; destination: string; meta?: RequestMeta }) {
      const row = await standingRow(input.userId, 'enrol', input.method);
      await issue(row, { ...input, purpose: 'enrol' });
      return { message: SENT_MESSAGE[input.method] };
    },

    checkEnrolment(userId: number, method: CodeMethod, destination: string, code: unknown): Promise<boolean> {
      return challenges()
        .findOne({ where: { nonce: standingNonce(userId, 'enrol', method) }, select: ['id'] })
        .then((row: any) => (row ? check(row.id, method, destination, code) : false));
    },

    /** A confirmed method's code: on the pending login when there is one, else on the step-up row. */
    async checkConfirmed(userId: number, method: CodeMethod, code: unknown, loginChallenge?: { id: number }): Promise<boolean> {
      const destination = await confirmedDestination(userId, method);
      if (!destination) return false;
      const rowId =
        loginChallenge?.id ??
        (await challenges().findOne({ where: { nonce: standingNonce(userId, 'step-up', method) }, select: ['id'] }))?.id;
      return rowId ? check(rowId, method, destination, code) : false;
    },
  };
};
