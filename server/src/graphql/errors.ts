import path from 'node:path';
import { createRequire } from 'node:module';
import type { Core } from '@strapi/strapi';
import type { GraphQLError } from 'graphql';
import { errors } from '@strapi/utils';
import { INVALID_SESSION, type PendingLogin } from '../services/login';
import { INVALID_CODE } from '../services/verification';
import { pendingBody } from '../utils/answers';
import { setRetryAfter } from '../middlewares/error-answers';

/** The `extensions.code` of a login that needs its second factor, or a first enrolment (API.md §2). */
export const PENDING_CODES = { login: 'TWO_FACTOR_REQUIRED', setup: 'TWO_FACTOR_SETUP_REQUIRED' } as const;

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
  return new GraphQLErrorOfPlugin(message, {
    extensions: { code: PENDING_CODES[pending.purpose], mfaToken, methods, expiresAt },
  });
};

/** The pending login a `pendingError` carries, if `error` is one. */
export const pendingFromError = (error: unknown): PendingLogin | null => {
  const extensions = (error as { extensions?: Record<string, unknown> } | null)?.extensions;
  const purpose = (Object.keys(PENDING_CODES) as (keyof typeof PENDING_CODES)[]).find(
    (key) => PENDING_CODES[key] === extensions?.code
  );
  if (!purpose || typeof extensions?.mfaToken !== 'string') return null;
  return {
    purpose,
    mfaToken: extensions.mfaToken,
    methods: extensions.methods as string[],
    expiresAt: extensions.expiresAt as string,
  };
};

/** The services' generic answers, recognised so a dialect can word them its own way. */
export const isInvalidCode = (error: unknown) => error instanceof errors.ValidationError && error.message === INVALID_CODE;
export const isInvalidSession = (error: unknown) =>
  error instanceof errors.UnauthorizedError && error.message === INVALID_SESSION;

export type ResolverMiddleware = (
  resolve: (...args: any[]) => unknown,
  parent: unknown,
  args: any,
  context: any,
  info: any
) => Promise<unknown>;

/** REST's Retry-After on lockouts (SECURITY.md R3), as a GraphQL resolver middleware. */
export const withRetryAfter: ResolverMiddleware = async (resolve, parent, args, context, info) => {
  try {
    return await resolve(parent, args, context, info);
  } catch (error) {
    setRetryAfter(context.koaContext, error);
    throw error;
  }
};
