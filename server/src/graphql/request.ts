import type { GraphQLResolveInfo } from 'graphql';
import { errors } from '@strapi/utils';
import type { PendingLogin } from '../services/login';
import type { IssuedLogin, TokenRequest } from '../services/tokens';
import type { RequestMeta } from '../utils/request-meta';
import { requestMeta } from '../utils/request-meta';
import { bearerToken, tokenRequest } from '../utils/http';
import { issuedOf } from '../utils/request-state';
import { pendingFromError } from './errors';

/** What every resolver takes from the GraphQL context: the Koa request behind it. */
export interface GraphQLContext {
  state: { user?: any; auth?: unknown };
  koaContext: any;
}

export const meta = (context: GraphQLContext): RequestMeta => requestMeta(context.koaContext);
export const tokens = (context: GraphQLContext): TokenRequest => tokenRequest(context.koaContext);
export const bearer = (context: GraphQLContext) => bearerToken(context.koaContext);

/** The signed-in user of a scoped operation (its auth config already required one). */
export const signedIn = (context: GraphQLContext) => {
  const user = context.state?.user;
  if (!user) throw new errors.UnauthorizedError('Authentication required');
  return user;
};

/** Issued tokens as users-permissions' GraphQL login gives them: the body, and its refresh cookie if any. */
export const issuedBody = (context: GraphQLContext, issued: IssuedLogin) => {
  if (issued.cookie) context.koaContext.cookies.set(issued.cookie.name, issued.cookie.value, issued.cookie.options);
  return issued.body;
};

export type PasswordStep = { pending: PendingLogin } | { jwt: string; refreshToken?: string; user: any };

/**
 * The GraphQL face's one password login: users-permissions' own `login` mutation, as wrapped by
 * the graphql plugin (its rate limit, its checks and messages, this plugin's password step in
 * front of it). A login that needs a second factor comes back as `pending`.
 */
export const passwordLogin = async (
  info: GraphQLResolveInfo,
  context: GraphQLContext,
  identifier: string,
  password: string
): Promise<PasswordStep> => {
  const login = info.schema.getMutationType()?.getFields().login;
  if (!login?.resolve) throw new errors.ApplicationError('The users-permissions login mutation is not available');
  try {
    const result: any = await login.resolve({}, { input: { identifier, password, provider: 'local' } }, context, info);
    return { jwt: result.jwt, refreshToken: issuedOf(context.koaContext)?.refreshToken, user: result.user };
  } catch (error) {
    const pending = pendingFromError(error);
    if (pending) return { pending };
    throw error;
  }
};
