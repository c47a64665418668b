import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { validateUserId, validateUsersQuery } from './admin-validation';

/** GET /two-factor/users, POST /two-factor/users/:id/reset, /unlock and /revoke-devices. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async find(ctx: any) {
    const query = await validateUsersQuery(ctx.query ?? {});
    return ctx.send(await getService(strapi, 'adminUsers').list(query));
  },

  async reset(ctx: any) {
    const { id } = await validateUserId(ctx.params ?? {});
    return ctx.send(await getService(strapi, 'adminUsers').reset(id, ctx.state.user, requestMeta(ctx)));
  },

  async unlock(ctx: any) {
    const { id } = await validateUserId(ctx.params ?? {});
    return ctx.send(await getService(strapi, 'adminUsers').unlock(id, ctx.state.user, requestMeta(ctx)));
  },

  async revokeDevices(ctx: any) {
    const { id } = await validateUserId(ctx.params ?? {});
    return ctx.send(await getService(strapi, 'adminUsers').revokeDevices(id, ctx.state.user, requestMeta(ctx)));
  },
});
