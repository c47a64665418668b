import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../utils/plugin';
import { apiPath, requestLimiter } from '../middlewares/rate-limit';
import { errorAnswers, type ResolverMiddleware } from './errors';

/**
 * Auth rules of the operations, through the graphql plugin's resolvers config. Public ones check
 * their own credential (password, mfa token, or a JWT the enrolment services resolve, as the
 * REST routes do); the others need a users-permissions JWT whose role has the same action as the
 * matching REST route, so one checkbox under Roles governs both faces.
 */
export const pub = { auth: false, middlewares: [errorAnswers] };

/**
 * A public operation that checks a code or a token, rate limited as its REST route is, in the
 * same count (`route` is that route's path under the plugin's prefix): one allowance per client
 * whichever face it uses. Operations that take a password are counted as `/auth/local`, in
 * their resolvers (sign-in.ts).
 */
export const pubLimited = (strapi: Core.Strapi, route: string) => {
  let limited: ReturnType<typeof requestLimiter> | undefined;
  const limit: ResolverMiddleware = async (resolve, parent, args, context, info) => {
    limited ??= requestLimiter(strapi);
    let result: unknown;
    await limited(context.koaContext, apiPath(strapi, `/${PLUGIN_ID}${route}`), async () => {
      result = await resolve(parent, args, context, info);
    });
    return result;
  };
  return { auth: false, middlewares: [errorAnswers, limit] };
};

type ScopedAction =
  | `manage.${'status' | 'enable' | 'backupCodes' | 'disable' | 'stepUp'}`
  | `devices.${'list' | 'revoke' | 'revokeAll'}`
  | `passkeys.${'list' | 'rename' | 'remove'}`;

export const scoped = (action: ScopedAction) => ({
  auth: { scope: [`plugin::${PLUGIN_ID}.${action}`] },
  middlewares: [errorAnswers],
});

/** What each dialect adds to the schema. */
export interface Dialect {
  typeDefs: string;
  resolvers: Record<string, Record<string, unknown>>;
  resolversConfig: Record<string, unknown>;
}
