import path from 'node:path';
import { createRequire } from 'node:module';
import type { Core } from '@strapi/strapi';
import type { GraphQLError } from 'graphql';
import { codeOf, withCode, type ErrorCode } from '../utils/errors';
import type { PendingLogin } from '../services/login';
import { pendingBody } from '../utils/answers';
import { setRetryAfter } from '../middlewares/error-answers';

/** The `extensions.code` of a login that needs its second factor, or a first enrolment. */
const PENDING_CODES = { login: 'TWO_FACTOR_REQUIRED', setup: 'TWO_FACTOR_SETUP_REQUIRED' } as const satisfies Record<string, ErrorCode>;

type GraphQLErrorClass = typeof GraphQLError;

/**
 * The graphql plugin's own copy of GraphQLError. Its error formatter passes through only errors
 * of that copy (any other unknown error becomes "Internal Server Error"), and the plugin does not
 * depend on `graphql` itself: resolve it from where the app's graphql plugin resolves it.
 */
const graphqlErrorClass = (() => {
  let found: GraphQLErrorClass | undefined;
  return (strapi: Core.Strapi): GraphQLErrorClass => {
    if (!found) {
      const fromApp = createRequire(path.join(strapi.dirs.app.root, 'package.json'));
      const fromPlugin = createRequire(fromApp.resolve('@strapi/plugin-graphql/package.json'));
      found = (fromPlugin('graphql') as typeof import('graphql')).GraphQLError;
    }
    return found;
  };
})();

/** A password step that needs a second factor: no data, the pending login in `extensions`. */
export const pendingError = (strapi: Core.Strapi, pending: PendingLogin) => {
  const { message, mfaToken, methods, expiresAt } = pendingBody(pending);
  const GraphQLErrorOfPlugin = graphqlErrorClass(strapi);
  const code = PENDING_CODES[pending.purpose];
  return new GraphQLErrorOfPlugin(message, { extensions: { code, mfaToken, methods, expiresAt, details: { code } } });
};

export type ResolverMiddleware = (
  resolve: (...args: any[]) => unknown,
  parent: unknown,
  args: any,
  context: any,
  info: any
) => Promise<unknown>;

/**
 * How the plugin's errors reach a GraphQL client, as the REST middleware does it: the code in
 * `extensions.details` (beside `extensions.error.details`, where Strapi puts the same details,
 * and `extensions.code`, which Strapi sets from the error's class), and Retry-After on a 429.
 * graphql-js hands a thrown error's own `extensions` on to the answer.
 */
export const errorAnswers: ResolverMiddleware = async (resolve, parent, args, context, info) => {
  try {
    return await resolve(parent, args, context, info);
  } catch (thrown) {
    const error = withCode(thrown) as { details?: unknown; extensions?: Record<string, unknown> };
    setRetryAfter(context.koaContext, error);
    if (codeOf(error)) error.extensions = { ...error.extensions, details: error.details };
    throw error;
  }
};
