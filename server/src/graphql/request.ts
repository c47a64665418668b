import type { IssuedLogin, TokenRequest } from '../services/tokens';
import type { RequestMeta } from '../utils/request-meta';
import { requestMeta } from '../utils/request-meta';
import { twoFactorError } from '../utils/errors';
import { bearerToken, tokenRequest } from '../utils/http';

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
  if (!user) throw twoFactorError('AUTH_REQUIRED');
  return user;
};

/** Issued tokens as users-permissions' GraphQL login gives them: the body, and its refresh cookie if any. */
export const issuedBody = (context: GraphQLContext, issued: IssuedLogin) => {
  if (issued.cookie) context.koaContext.cookies.set(issued.cookie.name, issued.cookie.value, issued.cookie.options);
  return issued.body;
};
