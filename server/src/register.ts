import type { Core } from '@strapi/strapi';
import { getService } from './utils/plugin';
import { requestMeta } from './utils/request-meta';
import { recordIssued, sendPending } from './utils/http';
import { registerGraphql } from './graphql';

/**
 * Puts the plugin's password step in front of users-permissions' local login. Routes bind
 * controller actions during strapi.bootstrap(), before plugin bootstraps, so this must happen
 * here. A user who needs no second factor goes through users-permissions untouched.
 */
const guardLocalLogin = (strapi: Core.Strapi) => {
  const auth = strapi.plugin('users-permissions').controller('auth') as any;
  const callback = auth.callback;
  auth.callback = async function twoFactorCallback(this: unknown, ctx: any) {
    const provider = ctx.params?.provider || 'local';
    const { identifier, password } = ctx.request?.body ?? {};
    if (provider === 'local' && typeof identifier === 'string' && typeof password === 'string') {
      const pending = await getService(strapi, 'login').beginFromPassword({ identifier, password }, requestMeta(ctx));
      if (pending) return sendPending(strapi, ctx, pending);
    }
    const answer = await callback.call(this, ctx);
    recordIssued(ctx);
    return answer;
  };
};

export default ({ strapi }: { strapi: Core.Strapi }) => {
  guardLocalLogin(strapi);
  registerGraphql(strapi);
};
