import { randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { passwordFingerprint, signPendingToken, verifyPendingToken } from '../core';
import { UID, getService, PLUGIN_ID, upRefreshMode } from '../utils/plugin';
import { columnOf, tableOf, toNumber, withKnex } from '../utils/db';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';
import type { PluginConfig } from '../config';
import { PASSKEY, type CodeMethod, type FactorMethod, type Method } from '../vocabulary';
import type { IssuedLogin, TokenRequest } from './tokens';
import type { TrustedDevice } from './devices';
import type { ConfirmedFactor } from './verification';

/** A completed login; `device` when the verify asked to remember the device and the operator allows it. */
export type VerifiedLogin = IssuedLogin & { device?: TrustedDevice };

export type Purpose = 'login' | 'setup';

export interface PendingLogin {
  purpose: Purpose;
  mfaToken: string;
  methods: string[];
  expiresAt: string;
}

/** The challenge row behind a pending token, as resolve() checks it. */
export interface PendingChallenge {
  id: number;
  nonce: string;
  codeSentAt: number | null;
  userId: number;
  purpose: string;
  consumedAt: number | null;
  expiresAt: number | null;
  passwordFingerprint: string | null;
}

/** Ties a pending login to the password it was opened with: a password change kills it. */
const fingerprint = passwordFingerprint;

/** What a login owes: a second factor, a first enrolment, or nothing (maybe with a set-up deadline). */
export type Requirement = { purpose: Purpose } | { purpose: null; setupRequiredBy?: string };
const NOTHING_OWED: Requirement = { purpose: null };

/**
 * The pending login between the password step and the second factor: a challenge row in the
 * database and a signed token that names it. Single use, short lived; no JWT, refresh token or
 * user is given until it is completed.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const challenges = () => strapi.db.query(UID.challenge);
  const expired = () => twoFactorError('PENDING_EXPIRED');

  /**
   * The challenge a pending token names and, with `factors`, its user's confirmed factors: one
   * statement. Both are the plugin's own tables; they are joined with knex (on the caller's
   * transaction, if any) because the query engine joins only through relations, and a user id
   * here is a plain column.
   */
  const readChallenge = async (nonce: string, factors: boolean): Promise<{ challenge: PendingChallenge; factors: ConfirmedFactor[] } | null> => {
    const ch = (attribute: string) => `c.${columnOf(strapi, UID.challenge, attribute)}`;
    const fa = (attribute: string) => `f.${columnOf(strapi, UID.factor, attribute)}`;
    const rows: any[] = await withKnex(strapi, (knex) => {
      const query = knex({ c: tableOf(strapi, UID.challenge) })
        .select({
          id: ch('id'),
          nonce: ch('nonce'),
          codeSentAt: ch('codeSentAt'),
          userId: ch('userId'),
          purpose: ch('purpose'),
          consumedAt: ch('consumedAt'),
          expiresAt: ch('expiresAt'),
          passwordFingerprint: ch('passwordFingerprint'),
        })
        .where(ch('nonce'), nonce);
      if (!factors) return query.limit(1);
      return query
        .leftJoin({ f: tableOf(strapi, UID.factor) }, (join: any) => join.on(fa('userId'), '=', ch('userId')).andOnNotNull(fa('confirmedAt')))
        .select({ factorId: fa('id'), factorMethod: fa('method'), factorSecret: fa('secret'), factorLastUsedStep: fa('lastUsedStep') })
        .orderBy(fa('id'), 'asc');
    });
    if (!rows.length) return null;
    const [first] = rows;
    return {
      challenge: {
        id: Number(first.id),
        nonce: first.nonce,
        codeSentAt: toNumber(first.codeSentAt),
        userId: Number(first.userId),
        purpose: first.purpose,
        consumedAt: toNumber(first.consumedAt),
        expiresAt: toNumber(first.expiresAt),
        passwordFingerprint: first.passwordFingerprint ?? null,
      },
      factors: rows
        .filter((row) => row.factorId !== null && row.factorId !== undefined)
        .map((row) => ({ id: Number(row.factorId), method: row.factorMethod, secret: row.factorSecret, lastUsedStep: toNumber(row.factorLastUsedStep) })),
    };
  };

  return {
    /**
     * Whether this user's login needs a second factor ('login') or a first enrolment ('setup'),
     * or neither; a user of a required role inside the grace period gets the deadline instead.
     * `known.confirmed`: the caller has just read that the user has a confirmed factor.
     */
    async requirement(user: { id: number; role?: { type?: string } | null }, known: { confirmed?: true } = {}): Promise<Requirement> {
      const settings = await getService(strapi, 'settings').get();
      if (!settings.enabled) return NOTHING_OWED;
      if (known.confirmed || (await getService(strapi, 'verification').hasConfirmed(user.id))) return { purpose: 'login' };
      if (settings.enforcedRoles.length) {
        const role = user.role ?? (await strapi.db.query(UID.user).findOne({ where: { id: user.id }, populate: ['role'] }))?.role;
        if (role?.type && settings.enforcedRoles.includes(role.type)) {
          const deadline = await getService(strapi, 'enforcement').deadline(user.id, role.type);
          if (deadline && deadline.getTime() > Date.now()) return { purpose: null, setupRequiredBy: deadline.toISOString() };
          return { purpose: 'setup' };
        }
      }
      return NOTHING_OWED;
    },

    /**
     * For tokens users-permissions has just issued on another path (reset password, OAuth,
     * registration): the pending login that must replace them, or null when none is needed.
     */
    async withhold(userId: number, meta?: RequestMeta): Promise<PendingLogin | null> {
      const user = await strapi.db.query(UID.user).findOne({ where: { id: userId }, populate: ['role'] });
      if (!user) return null;
      const { purpose } = await this.requirement(user);
      return purpose ? this.start(user, purpose, meta) : null;
    },

    async start(user: { id: number; password?: string | null }, purpose: Purpose, meta?: RequestMeta): Promise<PendingLogin> {
      const ttl = config().pendingTokenTtl;
      const now = Date.now();
      const nonce = randomBytes(16).toString('hex');
      const methods =
        purpose === 'login'
          ? await getService(strapi, 'verification').loginMethods(user.id)
          : await this.setupMethods();
      // Outside the transaction: under InnoDB the range delete's gap locks would deadlock
      // parallel logins of one user at the insert below.
      await challenges().deleteMany({ where: { userId: user.id, expiresAt: { $lt: now } } });
      // The challenge and its audit event: one transaction, one commit (on SQLite a disk sync).
      await strapi.db.transaction(async () => {
        await challenges().createMany({
          data: [
            {
              nonce,
              purpose,
              userId: user.id,
              expiresAt: now + ttl * 1000,
              passwordFingerprint: fingerprint(user.password),
              attempts: 0,
              sendCount: 0,
            },
          ],
        });
        await getService(strapi, 'audit').record('login.challenged', { userId: user.id, meta, details: { purpose } });
      });
      const mfaToken = signPendingToken(
        { challengeId: nonce, userId: user.id, purpose },
        getService(strapi, 'keys').get().pendingToken,
        ttl
      );
      return { purpose, mfaToken, methods, expiresAt: new Date(now + ttl * 1000).toISOString() };
    },

    /** Methods a setup-required user may enrol now. */
    async setupMethods(): Promise<Method[]> {
      const settings = getService(strapi, 'settings');
      const methods = (await settings.get()).methods;
      return (Object.keys(methods) as Method[]).filter((m) => methods[m] && (m !== PASSKEY || settings.passkeysAvailable()));
    },

    /**
     * The live challenge and user behind a pending token, or PENDING_EXPIRED: the token must be
     * signed by us for one of `purposes`, its challenge unused and unexpired, and its user neither
     * blocked nor with another password than the one it was opened with. `factors`: the user's
     * confirmed factors too, read with the challenge (a verify checks its code against them).
     */
    async resolve(
      token: unknown,
      purposes: Purpose[],
      options: { factors?: boolean } = {}
    ): Promise<{ challenge: PendingChallenge; user: any; factors?: ConfirmedFactor[] }> {
      const payload = verifyPendingToken(token, getService(strapi, 'keys').get().pendingToken);
      if (!payload || !purposes.includes(payload.purpose)) throw expired();
      // Every use of a pending login counts an attempt or sends a code, both refused while the
      // account is locked: a lock this process knows of is answered before any read.
      const retryAfter = getService(strapi, 'throttle').knownLock(Number(payload.userId));
      if (retryAfter !== null) throw twoFactorError('LOCKED', undefined, { retryAfter });
      const found = await readChallenge(payload.challengeId, options.factors === true);
      const challenge = found?.challenge;
      if (
        !challenge ||
        challenge.consumedAt !== null ||
        (challenge.expiresAt ?? 0) <= Date.now() ||
        String(challenge.userId) !== payload.userId ||
        challenge.purpose !== payload.purpose
      ) {
        throw expired();
      }
      // The user goes through the query engine: its field conversions and the host app's own
      // attributes make the user that the login answers. Its role is not read here (requirement() reads it when needed).
      const user = await strapi.db.query(UID.user).findOne({ where: { id: challenge.userId } });
      // OAuth users have no password: their fingerprint is that of the empty string.
      if (!user || user.blocked === true || fingerprint(user.password) !== challenge.passwordFingerprint) {
        throw expired();
      }
      // A setup login exists to give an account its first factor: once it has one (enrolled
      // elsewhere meanwhile), the setup token opens nothing.
      if (challenge.purpose === 'setup' && (await getService(strapi, 'stepUp').needed(user.id))) throw expired();
      return { challenge, user, ...(options.factors ? { factors: found!.factors } : {}) };
    },

    /**
     * Single use: of concurrent completions exactly one consumes the challenge. `freshToken`: the
     * session the completion opens, which the consumed row becomes the fresh mark of, in the same
     * statement (services/fresh-sessions.ts).
     */
    async consume(challenge: { id: number }, freshToken?: string) {
      const now = Date.now();
      const mark = freshToken ? getService(strapi, 'freshSessions').markOf(freshToken, now) : null;
      const { count } = await challenges().updateMany({
        where: { id: challenge.id, consumedAt: null, expiresAt: { $gt: now } },
        data: { consumedAt: now, ...(mark ?? {}) },
      });
      if (count !== 1) throw expired();
    },

    /**
     * How a verified pending login gets its tokens. In legacy JWT mode the token is signed inside
     * the attempt's transaction, so the consumption also marks the new session fresh: one commit
     * for the whole verify. Refresh mode opens a users-permissions session (its own writes and
     * clean-up of expired sessions, kept out of the attempt), so it issues after the commit.
     */
    completion(challenge: { id: number }, user: any, request: TokenRequest) {
      const tokens = getService(strapi, 'tokens');
      let issued: IssuedLogin | null = null;
      return {
        onSuccess: async () => {
          if (upRefreshMode(strapi)) return this.consume(challenge);
          const minted = await tokens.mint(user, request);
          await this.consume(challenge, minted.body.jwt);
          issued = minted;
        },
        issued: async (): Promise<IssuedLogin> => issued ?? tokens.issue(user, request, { afterSecondFactor: true }),
      };
    },

    /** The code step: checks the second factor, consumes the pending login, issues the tokens. */
    async verify(input: {
      token: unknown;
      code: unknown;
      method?: FactorMethod;
      meta?: RequestMeta;
      request: TokenRequest;
      trustDevice?: boolean;
    }): Promise<VerifiedLogin> {
      const { challenge, user, factors } = await this.resolve(input.token, ['login'], { factors: true });
      const completion = this.completion(challenge, user, input.request);
      // The consumption shares the attempt's transaction: one commit per login step.
      await getService(strapi, 'verification').verify({
        userId: user.id,
        code: input.code,
        method: input.method,
        meta: input.meta,
        challenge,
        factors,
        onSuccess: completion.onSuccess,
      });
      return this.withDevice(user, await completion.issued(), input);
    },

    /** A completed login's answer, with the device remembered if the verify asked and the operator allows it. */
    async withDevice(user: any, issued: IssuedLogin, input: { trustDevice?: boolean; meta?: RequestMeta }): Promise<VerifiedLogin> {
      const device = input.trustDevice === true ? await getService(strapi, 'devices').trust(user, input.meta) : null;
      return device ? { ...issued, device } : issued;
    },

    /**
     * `POST /passkeys/challenge`: request options for the pending login's second factor, bound
     * to that login (a verify of another pending login cannot use the assertion).
     */
    async passkeyChallenge(input: { token: unknown }) {
      const { challenge, user } = await this.resolve(input.token, ['login']);
      const passkeys = getService(strapi, 'passkeys');
      if (!(await passkeys.usable())) throw twoFactorError('METHOD_UNAVAILABLE', 'Passkeys are not enabled on this site');
      if (!(await passkeys.count(user.id))) throw twoFactorError('METHOD_NOT_ENABLED', 'The account has no passkey');
      await getService(strapi, 'attempts').assertUnlocked(user.id);
      return passkeys.assertionOptions('passkey-login', user.id, `login:${challenge.id}`);
    },

    /** Sends the pending login's user a sign-in code by email or SMS. */
    async sendCode(input: { token: unknown; method: CodeMethod; meta?: RequestMeta }) {
      const { challenge, user } = await this.resolve(input.token, ['login']);
      return getService(strapi, 'otp').sendLogin({ challenge, userId: user.id, method: input.method, meta: input.meta });
    },

    /**
     * A setup-required login's first confirmed factor completes that login: the pending login is
     * consumed in the confirm's transaction, so of parallel confirms with one token only one
     * confirms a factor and gets tokens.
     */
    async confirmSetup(input: {
      token: unknown;
      method: Method;
      code: unknown;
      meta?: RequestMeta;
      request: TokenRequest;
    }) {
      const { challenge, user } = await this.resolve(input.token, ['setup']);
      const confirmation = await getService(strapi, 'factors').confirm(user, input.method, input.code, input.meta, {
        completes: () => this.consume(challenge),
      });
      const issued = await getService(strapi, 'tokens').issue(user, input.request, { afterSecondFactor: true });
      return { confirmation, issued };
    },
  };
};
