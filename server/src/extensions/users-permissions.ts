import type { Core } from '@strapi/strapi';
import { getService, upRefreshCookieName, upRefreshMode, upSessions } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { sendLogin, sendPending } from '../utils/answers';
import { deviceToken, tokenRequest } from '../utils/http';
import { isGraphql, recordPending, recordSetupDeadline } from '../utils/request-state';
import type { PendingLogin } from '../services/login';
import { withZod } from '../routes/schemas/zod';
import { loginSchemas } from '../routes/schemas/login';

/**
 * Every users-permissions action that can answer with a JWT, none of which may hand one to a user
 * who still owes a second factor, and the GraphQL mutation that runs it:
 * - `callback`: the local password login and the OAuth provider callbacks (REST, GraphQL `login`);
 * - `resetPassword`: the emailed reset code logs the user in;
 * - `register`: a new user may belong to a role that must use 2FA;
 * - `emailConfirmation`: with `returnUser` (the GraphQL mutation) it answers a JWT.
 * `changePassword` and `refresh` need a session that already passed the second factor.
 */
export const GUARDED_ACTIONS = {
  callback: 'login',
  resetPassword: 'resetPassword',
  register: 'register',
  emailConfirmation: 'emailConfirmation',
} as const;

/** The refresh token an answer carries, in its body or in the cookie it sets. */
const issuedRefreshToken = (strapi: Core.Strapi, ctx: any): string | undefined => {
  if (typeof ctx.body?.refreshToken === 'string') return ctx.body.refreshToken;
  const name = upRefreshCookieName(strapi);
  const header = ctx.response?.get?.('Set-Cookie');
  const cookies: string[] = Array.isArray(header) ? header : header ? [header] : [];
  for (const cookie of cookies) {
    const match = cookie.match(new RegExp(`^${name}=([^;]+)`));
    if (match) return match[1];
  }
  return undefined;
};

/**
 * Takes back what users-permissions just issued: the sessions behind the access and refresh
 * tokens (refresh mode) and the refresh cookie. A legacy JWT is stateless: it is simply not sent.
 */
const withdraw = async (strapi: Core.Strapi, ctx: any, userId: number, jwt: string) => {
  if (!upRefreshMode(strapi)) return;
  const sessions = strapi.sessionManager('users-permissions');
  const sessionIds = new Set<string>();
  const access: any = sessions.validateAccessToken(jwt);
  if (access?.isValid && access.payload?.sessionId) sessionIds.add(access.payload.sessionId);
  const refresh = issuedRefreshToken(strapi, ctx);
  if (refresh) {
    const validation: any = await sessions.validateRefreshToken(refresh);
    if (validation?.isValid) sessionIds.add(validation.sessionId);
    ctx.cookies.set(upRefreshCookieName(strapi), null, { path: upSessions(strapi).cookie?.path ?? '/', overwrite: true });
  }
  for (const sessionId of sessionIds) await sessions.revokeSessionById(String(userId), sessionId);
};

/** The local password step, before users-permissions issues anything (no session to undo, one bcrypt). */
const passwordStep = async (strapi: Core.Strapi, ctx: any) => {
  const { identifier, password, deviceToken: fromBody } = ctx.request?.body ?? {};
  if (typeof identifier !== 'string' || typeof password !== 'string') return null;
  const input = { identifier, password, deviceToken: deviceToken(ctx, fromBody) };
  return getService(strapi, 'passwordStep').pendingFor(input, requestMeta(ctx));
};

/**
 * The pending login instead of tokens: kept on the request for a GraphQL mutation (which answers
 * it as its TWO_FACTOR_REQUIRED error, with no cookie), else answered as REST with its cookie.
 */
const answerPending = (strapi: Core.Strapi, ctx: any, pending: PendingLogin) => {
  recordPending(ctx, pending);
  return sendPending(strapi, ctx, pending, { cookie: !isGraphql(ctx) });
};

/** Puts the second factor in front of every action that hands out a JWT (routes bind them in bootstrap). */
export const guardUsersPermissions = (strapi: Core.Strapi) => {
  const auth = strapi.plugin('users-permissions').controller('auth') as Record<string, (ctx: any, ...rest: unknown[]) => unknown>;
  for (const action of Object.keys(GUARDED_ACTIONS) as (keyof typeof GUARDED_ACTIONS)[]) {
    const original = auth[action];
    auth[action] = async function guarded(this: unknown, ctx: any, ...rest: unknown[]) {
      const local = action === 'callback' && (ctx.params?.provider || 'local') === 'local';
      const step = local ? await passwordStep(strapi, ctx) : null;
      if (step && 'pending' in step) return answerPending(strapi, ctx, step.pending);
      // A remembered device: the login users-permissions would give, without checking the password again.
      if (step && 'remembered' in step) {
        return sendLogin(strapi, ctx, await getService(strapi, 'tokens').issue(step.remembered, tokenRequest(ctx)));
      }
      const result = await original.call(this, ctx, ...rest);
      // A required role's grace period: the login succeeds and says by when to set up a factor.
      if (step && ctx.body?.jwt !== undefined && ctx.body?.jwt !== null) {
        recordSetupDeadline(ctx, step.setupRequiredBy);
        ctx.body = { ...ctx.body, twoFactorSetupRequiredBy: step.setupRequiredBy };
      }
      // A local login that got here needs no second factor: the password step decided it.
      const userId = ctx.body?.user?.id;
      // In refresh mode some actions answer `jwt` as a promise of the access token.
      const issued = ctx.body?.jwt !== undefined && ctx.body?.jwt !== null;
      const pending =
        !local && issued && userId !== undefined ? await getService(strapi, 'login').withhold(userId, requestMeta(ctx)) : null;
      if (!pending) return result;
      await withdraw(strapi, ctx, userId, await ctx.body.jwt);
      return answerPending(strapi, ctx, pending);
    };
  }
};

const OWN_ANSWER = Symbol.for('two-factor.users-permissions-answer');
const OWN_BODY = Symbol.for('two-factor.users-permissions-body');

/**
 * users-permissions' route documentation learns the pending-login answers: each of its routes to a
 * guarded action that declares its answer (`POST /auth/local`, the provider callback, register,
 * reset-password) may answer "2FA required" instead. Only `strapi openapi generate` reads it.
 */
export const documentPendingAnswers = (strapi: Core.Strapi) => {
  const login = withZod(loginSchemas);
  // A router factory (its `routes` getter) or, once instantiated, a router: both share one list.
  const routes: any[] | undefined = (strapi.plugin('users-permissions').routes as any)?.['content-api']?.routes;
  if (!login || !Array.isArray(routes)) return;
  const guarded = new Set(Object.keys(GUARDED_ACTIONS).map((action) => `auth.${action}`));
  for (const route of routes) {
    if (!route.response || !guarded.has(route.handler)) continue;
    // users-permissions keeps its route list for the process: a second boot starts from its own answer again.
    route[OWN_ANSWER] ??= route.response;
    route.response = login.orPending(route[OWN_ANSWER]);
    // The password login also takes a remembered device's token in its body.
    const body = route.request?.body?.['application/json'];
    if (route.path === '/auth/local' && body) {
      route[OWN_BODY] ??= body;
      route.request.body['application/json'] = login.withDeviceToken(route[OWN_BODY]);
    }
  }
};
