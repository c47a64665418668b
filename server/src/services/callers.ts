import type { Core } from '@strapi/strapi';
import { UID, getService, upService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import type { RequestMeta } from '../utils/request-meta';
import type { Method } from '../vocabulary';
import type { Confirmation } from './factors';
import type { IssuedLogin, TokenRequest } from './tokens';

export interface Caller {
  user: any;
  /** Set when the caller is a setup-required login rather than a signed-in user. */
  setupToken?: string;
  /** The refresh-mode session behind a signed-in caller's access token. */
  sessionId?: string;
}

/**
 * Who may enrol: a signed-in user (users-permissions JWT) or a setup-required pending login.
 * A login pending token, or anything else, is refused.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The signed-in caller behind a users-permissions JWT (and its session in refresh mode), or null. */
  async signedIn(token: string): Promise<{ user: any; sessionId?: string } | null> {
    let payload: any;
    try {
      payload = await upService(strapi, 'jwt').verify(token);
    } catch {
      return null;
    }
    if (!payload || payload.id === undefined) return null;
    const user = await strapi.db.query(UID.user).findOne({ where: { id: payload.id }, populate: ['role'] });
    if (!user || user.blocked === true) return null;
    const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions' }).get({ key: 'advanced' })) as
      | { email_confirmation?: boolean }
      | null;
    if (advanced?.email_confirmation && !user.confirmed) return null;
    return { user, sessionId: typeof payload.sessionId === 'string' ? payload.sessionId : undefined };
  },

  async resolve(input: { bearer?: string; pending?: string }): Promise<Caller> {
    if (input.bearer) {
      const caller = await this.signedIn(input.bearer);
      if (caller) return caller;
    }
    for (const token of new Set([input.bearer, input.pending])) {
      if (!token) continue;
      try {
        const { user } = await getService(strapi, 'login').resolve(token, ['setup']);
        return { user, setupToken: token };
      } catch {
        // not a live setup token: try the next credential
      }
    }
    throw twoFactorError('AUTH_REQUIRED');
  },

  /**
   * Confirms an enrolment for whoever enrols: a signed-in user keeps their session; a
   * setup-required login is completed by it and gets its tokens.
   */
  async confirmEnrolment(
    caller: Caller,
    input: { method: Method; code: unknown; meta?: RequestMeta; request: TokenRequest }
  ): Promise<{ confirmation: Confirmation; issued?: IssuedLogin }> {
    if (caller.setupToken) return getService(strapi, 'login').confirmSetup({ token: caller.setupToken, ...input });
    const confirmation = await getService(strapi, 'factors').confirm(caller.user, input.method, input.code, input.meta, {
      keepSession: caller.sessionId,
    });
    return { confirmation };
  },
});
