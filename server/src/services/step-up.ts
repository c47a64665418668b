import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import type { RequestMeta } from '../utils/request-meta';
import { twoFactorError } from '../utils/errors';
import type { FactorMethod } from '../vocabulary';

/** What a request offers as proof that its caller holds a second factor right now. */
export interface StepUpProof {
  code?: unknown;
  /** The method the code is of; left out, every confirmed method and the backup codes are tried. */
  method?: FactorMethod;
  /** The caller's access token: a fresh session (services/fresh-sessions.ts) needs no code. */
  session?: string;
}

/** 403 naming what is missing, so a client can ask for a code (the same on every face). */
export const stepUpRequired = (message?: string) => twoFactorError('STEP_UP_REQUIRED', message);

/**
 * Sensitive changes to an account that already has a second factor need that factor again:
 * a current code given with the request, or a session that passed a second factor within the
 * step-up window. A stolen JWT alone must not add a factor of its own (and then remove the
 * owner's). An account without a confirmed factor has nothing to prove.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  needed(userId: number): Promise<boolean> {
    return getService(strapi, 'verification').hasConfirmed(userId);
  },

  /**
   * Checks the proof when the account has a factor: a code is a counted attempt, like any code;
   * without one the session must be fresh. Answers what proved it (a method, or `fresh`), or
   * null when nothing had to be proven.
   */
  async require(userId: number, proof: StepUpProof, meta?: RequestMeta): Promise<FactorMethod | 'fresh' | null> {
    if (!(await this.needed(userId))) return null;
    if (proof.code === undefined || proof.code === null || proof.code === '') {
      if (await getService(strapi, 'freshSessions').isFresh(userId, proof.session)) return 'fresh';
      throw stepUpRequired();
    }
    return getService(strapi, 'verification').verify({ userId, code: proof.code, method: proof.method, meta });
  },

  /**
   * What the `recent-factor` policy asks: has this session passed a second factor within
   * `maxAge` seconds? An account without a factor has none to pass; it is let through only where
   * the host app says so (`allowWithoutFactor`).
   */
  async recent(userId: number, session: string | undefined, options: { maxAge?: number; allowWithoutFactor?: boolean }) {
    if (!(await this.needed(userId))) return Boolean(options.allowWithoutFactor);
    return getService(strapi, 'freshSessions').isFresh(userId, session, options.maxAge);
  },

  /**
   * `POST /step-up`: a current code makes the caller's session fresh again. Answers until when
   * (null when the step-up window is 0, so no session is ever fresh).
   */
  async refresh(userId: number, proof: StepUpProof, meta?: RequestMeta): Promise<{ freshUntil: string | null }> {
    const verification = getService(strapi, 'verification');
    // One read says whether there is a factor and gives the attempt what it checks the code against.
    const factors = await verification.confirmedFactors(userId);
    if (!factors.length) throw twoFactorError('NOT_ENABLED');
    let until: Date | null = null;
    // The mark shares the attempt's transaction: one commit for the whole step-up.
    await verification.verify({
      userId,
      code: proof.code,
      method: proof.method,
      meta,
      factors,
      onSuccess: async () => {
        until = await getService(strapi, 'freshSessions').mark(userId, proof.session);
      },
    });
    return { freshUntil: until ? (until as Date).toISOString() : null };
  },
});
