import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID, getService, upService } from '../utils/plugin';

export interface Caller {
  user: any;
  /** Set when the caller is a setup-required login rather than a signed-in user. */
  setupToken?: string;
  /** The refresh-mode session behind a signed-in caller's access token. */
  sessionId?: string;
}

/**
 * Who may enrol: a signed-in user (users-permissions JWT) or a setup-required pending login
 * (docs/rest-api.md). A login pending token, or anything else, is refused (J2).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** The user a users-permissions JWT names, checked as its own auth strategy checks it. */
  async fromJwt(token: string): Promise<any | null> {
    return (await this.signedIn(token))?.user ?? null;
  },

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
    const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions' }).get({ key: 'advanced' })) as any;
    if (advanced?.email_confirmation && !user.confirmed) return null;
    return { user, sessionId: typeof payload.sessionId === 'string' ? payload.sessionId : undefined };
  },

  /** A signed-in user re-entering their password (Craft's disableTwoFactor); a 400 if it is not theirs. */
  async confirmPassword(userId: number, password: string): Promise<void> {
    const record = await strapi.db.query(UID.user).findOne({ where: { id: userId }, select: ['password'] });
    if (!record?.password || !(await upService(strapi, 'user').validatePassword(password, record.password))) {
      throw new errors.ValidationError('The password is not correct');
    }
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
    throw new errors.UnauthorizedError('Authentication required');
  },
});
