import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { apiPath, requestLimiter } from '../middlewares/rate-limit';
import type { PendingLogin } from '../services/login';
import type { PasswordOutcome } from '../services/password-step';
import type { IssuedLogin } from '../services/tokens';
import { issuedBody, meta, tokens, type GraphQLContext } from './request';
import { deviceToken } from '../utils/http';

export type SignIn = { pending: PendingLogin } | { user: { id: number }; issued: IssuedLogin };

/**
 * The dialects' sign-in with a password: the password-step service, counted by users-permissions'
 * limiter as `/auth/local` (the same count as its own login, per client), then a pending login,
 * or the tokens users-permissions would issue (its refresh cookie set at once, as it sets it).
 * The limit runs inside the resolver, so a dialect that answers failures as data (NYYU `signin`)
 * answers this one so as well.
 */
export const signInWith = (strapi: Core.Strapi) => {
  let limited: ReturnType<typeof requestLimiter> | undefined;
  return async (context: GraphQLContext, identifier: string, password: string): Promise<SignIn> => {
    limited ??= requestLimiter(strapi);
    let step: PasswordOutcome | undefined;
    await limited(context.koaContext, apiPath(strapi, '/auth/local'), async () => {
      // No operation has room for a device token: the cookie or the header brings it.
      const input = { identifier, password, deviceToken: deviceToken(context.koaContext) };
      step = await getService(strapi, 'passwordStep').run(input, meta(context));
    });
    if (!step) throw new Error('two-factor: the password step did not run');
    if ('pending' in step) return step;
    const issued = await getService(strapi, 'tokens').issue(step.user, tokens(context));
    issuedBody(context, issued);
    return { user: step.user, issued };
  };
};
