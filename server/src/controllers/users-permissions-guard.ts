import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { recordIssued, sendPending } from '../utils/http';

/**
 * Every users-permissions action that can answer with a JWT (SECURITY.md J6):
 * - `callback`: the local password login and the OAuth provider callbacks (REST and GraphQL `login`);
 * - `resetPassword`: the emailed reset code logs the user in;
 * - `register`: a new user may belong to a role that must use 2FA;
 * - `emailConfirmation`: with `returnUser` (the GraphQL mutation) it answers a JWT.
 * `changePassword` and `refresh` need a session that already passed the second factor.
 */
const GUARDED = ['callback', 'resetPassword', 'register', 'emailConfirmation'] as const;

const refreshCookieName = (strapi: Core.Strapi) =>
  (strapi.config.get('plugin::users-permissions.sessions') as any)?.cookie?.name || 'strapi_up_refresh';

/** The refresh token an answer carries, in its body or in the cookie it sets. */
const issuedRefreshToken = (strapi: Core.Strapi, ctx: any): string | undefined => {
  if (typeof ctx.body?.refreshToken === 'string') return ctx.body.refreshToken;
  const name = refreshCookieName(strapi);
  const header = ctx.response?.get?.('Set-Cookie');
  const cookies: string[] = Array.isArray(header) ? header : header ? [header] : [];
  for (const cookie of cookies) {
    const match = cookie.match(new RegExp(`^${name}=([^;]+)`));
    if (match) return match[1];
  }
  return undefined;
};

/** Takes back what users-permissions just issued: the refresh session and its cookie. */
const withdraw = async (strapi: Core.Strapi, ctx: any, userId: number) => {
  const refresh = issuedRefreshToken(strapi, ctx);
  if (refresh) {
    const sessions = strapi.sessionManager('users-permissions');
    const validation: any = await sessions.validateRefreshToken(refresh);
    if (validation?.isValid) await sessions.revokeSessionById(String(userId), validation.sessionId);
    const upSessions = strapi.config.get('plugin::users-permissions.sessions') as any;
    ctx.cookies.set(refreshCookieName(strapi), null, { path: upSessions?.cookie?.path ?? '/', overwrite: true });
  }
};

/** The local password step, before users-permissions issues anything (no session to undo, one bcrypt). */
const passwordStep = async (strapi: Core.Strapi, ctx: any) => {
  const { identifier, password } = ctx.request?.body ?? {};
  if (typeof identifier !== 'string' || typeof password !== 'string') return null;
  return getService(strapi, 'login').beginFromPassword({ identifier, password }, requestMeta(ctx));
};

export const guardUsersPermissions = (strapi: Core.Strapi) => {
  const auth = strapi.plugin('users-permissions').controller('auth') as any;
  for (const action of GUARDED) {
    const original = auth[action];
    auth[action] = async function guarded(this: unknown, ctx: any, ...rest: unknown[]) {
      const local = action === 'callback' && (ctx.params?.provider || 'local') === 'local';
      if (local) {
        const pending = await passwordStep(strapi, ctx);
        if (pending) return sendPending(strapi, ctx, pending);
      }
      const result = await original.call(this, ctx, ...rest);
      // A local login that got here needs no second factor: the password step decided it.
      const userId = ctx.body?.user?.id;
      const pending =
        !local && typeof ctx.body?.jwt === 'string' && userId !== undefined
          ? await getService(strapi, 'login').withhold(userId, requestMeta(ctx))
          : null;
      if (!pending) {
        // The GraphQL face passes on only jwt and user: it reads the full answer from here.
        recordIssued(ctx);
        return result;
      }
      await withdraw(strapi, ctx, userId);
      return sendPending(strapi, ctx, pending);
    };
  }
};
