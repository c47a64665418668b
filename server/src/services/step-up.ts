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
}

/** 403 naming what is missing, so a client can ask for a code (the same on every face). */
export const stepUpRequired = (message?: string) => twoFactorError('STEP_UP_REQUIRED', message);

/**
 * Sensitive changes to an account that already has a second factor need that factor again,
 * given with the request: a stolen JWT alone must not add a factor of its own (and then remove
 * the owner's). An account without a confirmed factor has nothing to prove.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  needed(userId: number): Promise<boolean> {
    return getService(strapi, 'verification').hasConfirmed(userId);
  },

  /**
   * Checks the proof (a counted attempt, like any code) when the account has a factor.
   * Answers the method that proved it, or null when nothing had to be proven.
   */
  async require(userId: number, proof: StepUpProof, meta?: RequestMeta): Promise<FactorMethod | null> {
    if (!(await this.needed(userId))) return null;
    if (proof.code === undefined || proof.code === null || proof.code === '') throw stepUpRequired();
    return getService(strapi, 'verification').verify({ userId, code: proof.code, method: proof.method, meta });
  },
});
