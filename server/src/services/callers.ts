import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID, getService, upService } from '../utils/plugin';

export interface Caller {
  user: any;
  /** Set when the caller is a setup-required login rather than a signed-in user. */
  setupToken?: string;
}

/**
 * Who may enrol: a signed-in user (users-permissions JWT) or a setup-required pending login
 * (API.md §1). A login pending token or anything else is refused (J2).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async fromJwt(token: string): Promise<any | null> {
    try {
      const payload = await upService(strapi, 'jwt').verify(token);
      if (!payload || payload.id === undefined) return null;
      const user = await strapi.db.query(UID.user).findOne({ where: { id: payload.id }, populate: ['role'] });
      if (!user || user.blocked === true) return null;
      const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions' }).get({ key: 'advanced' })) as any;
      if (advanced?.email_confirmation && !user.confirmed) return null;
      return user;
    } catch {
      return null;
    }
  },

  async resolve(input: { bearer?: string; mfaToken?: unknown }): Promise<Caller> {
    if (input.bearer) {
      const user = await this.fromJwt(input.bearer);
      if (user) return { user };
    }
    const token = input.bearer ?? input.mfaToken;
    if (typeof token === 'string' && token) {
      const { user } = await getService(strapi, 'login').resolve(token, ['setup']);
      return { user, setupToken: token };
    }
    throw new errors.UnauthorizedError('Authentication required');
  },
});
