import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { errors, buildSessionMetadata } from '@strapi/utils';
import { UID, getService, upRefreshCookieName, upRefreshMode, upService, upSessions } from '../utils/plugin';

/** What users-permissions reads from a login request when it issues tokens. */
export interface TokenRequest {
  auth?: unknown;
  userAgent?: string;
  deviceId?: unknown;
  httpOnlyRequested?: boolean;
}

export interface IssuedLogin {
  /** What users-permissions' own login answers: { jwt, user } (+ refreshToken in refresh mode). */
  body: { jwt: string; refreshToken?: string; user: unknown };
  /** Refresh mode with httpOnly cookies: the cookie users-permissions would have set. */
  cookie?: { name: string; value: string; options: Record<string, unknown> };
}

/** Kinds of attribute a plain `findOne` of the user leaves out: users-permissions' answer has none. */
const NOT_LOADED = new Set(['relation', 'media', 'component', 'dynamiczone']);

/**
 * The user as users-permissions' login reads it (no relation such as `role` populated), so a
 * two-factor login answers the same user shape as a plain one.
 */
const ownFields = (strapi: Core.Strapi, user: Record<string, unknown>) => {
  const attributes = strapi.getModel(UID.user).attributes as Record<string, { type: string }>;
  return Object.fromEntries(Object.entries(user).filter(([key]) => !NOT_LOADED.has(attributes[key]?.type)));
};

/**
 * Issues the final tokens exactly as users-permissions' `callback` does (legacy JWT, or refresh
 * mode's session, refresh token and cookie), so nothing downstream can tell a two-factor login
 * from a plain one.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async issue(user: any, request: TokenRequest, options: { afterSecondFactor?: boolean } = {}): Promise<IssuedLogin> {
    const issued = await this.mint(user, request);
    // A session that just passed a second factor starts fresh (services/fresh-sessions.ts).
    if (options.afterSecondFactor) await getService(strapi, 'freshSessions').markIssued(user.id, issued.body.jwt);
    return issued;
  },

  async mint(user: any, request: TokenRequest): Promise<IssuedLogin> {
    const sanitizedUser = await strapi.contentAPI.sanitize.output(ownFields(strapi, user), strapi.getModel(UID.user), {
      auth: request.auth,
    });
    if (!upRefreshMode(strapi)) {
      // A token id of its own (`jti`, which users-permissions ignores): two logins of one second
      // would otherwise get the same token, and a fresh mark would cover every copy of it.
      const jwt = upService(strapi, 'jwt').issue({ id: user.id }, { jwtid: randomUUID() }) as string;
      return { body: { jwt, user: sanitizedUser } };
    }

    const sessions = strapi.sessionManager('users-permissions');
    const deviceId = typeof request.deviceId === 'string' && request.deviceId.length > 0 ? request.deviceId : undefined;
    const metadata = buildSessionMetadata({ userAgent: request.userAgent });
    const refresh = await sessions.generateRefreshToken(String(user.id), deviceId, { type: 'refresh', metadata });
    const access = await sessions.generateAccessToken(refresh.token);
    if ('error' in access) throw new errors.ApplicationError('Invalid credentials');

    const sessionsConfig = upSessions(strapi);
    if (sessionsConfig.httpOnly || request.httpOnlyRequested) {
      const { cookie = {} } = sessionsConfig;
      const secure = typeof cookie.secure === 'boolean' ? cookie.secure : process.env.NODE_ENV === 'production';
      return {
        body: { jwt: access.token, user: sanitizedUser },
        cookie: {
          name: upRefreshCookieName(strapi),
          value: refresh.token,
          options: {
            httpOnly: true,
            secure,
            sameSite: cookie.sameSite ?? 'lax',
            path: cookie.path ?? '/',
            domain: cookie.domain,
            maxAge: cookie.maxAge,
            overwrite: true,
          },
        },
      };
    }
    return { body: { jwt: access.token, refreshToken: refresh.token, user: sanitizedUser } };
  },

  /**
   * Ends every refresh-mode session of the user but `keepSessionId` (the caller's own), as when
   * 2FA is turned on: a session opened with the password alone must not outlive that. Access
   * tokens already issued stay valid until they expire (users-permissions checks only their
   * signature); a legacy JWT is stateless and lives until its `exp`.
   */
  async endOtherSessions(userId: number, keepSessionId?: string): Promise<number> {
    if (!upRefreshMode(strapi)) return 0;
    const sessions = strapi.sessionManager('users-permissions');
    let ended = 0;
    for (const session of (await sessions.listSessions(String(userId))) as { sessionId: string }[]) {
      if (session.sessionId === keepSessionId) continue;
      if (await sessions.revokeSessionById(String(userId), session.sessionId)) ended += 1;
    }
    return ended;
  },
});
