import type { Core } from '@strapi/strapi';
import { errors, buildSessionMetadata } from '@strapi/utils';
import { UID, upService } from '../utils/plugin';

export interface IssuedLogin {
  /** What users-permissions' own login answers: { jwt, user } (+ refreshToken in refresh mode). */
  body: { jwt: string; refreshToken?: string; user: unknown };
  /** Refresh mode with httpOnly cookies: the cookie users-permissions would have set. */
  cookie?: { name: string; value: string; options: Record<string, unknown> };
  /** Expiry times for dialects that report them (Craft), unix seconds. */
  jwtExpiresAt: number | null;
  refreshTokenExpiresAt: number | null;
}

/** A JWT's `exp` (unix seconds), unverified: only to report when a token we issued expires. */
export const decodeExp = (token: string | undefined): number | null => {
  if (!token) return null;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : null;
  } catch {
    return null;
  }
};

/**
 * Issues the final tokens exactly as users-permissions' `callback` does (SECURITY.md J7), so
 * nothing downstream can tell a two-factor login from a plain one.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async issue(
    user: any,
    request: { auth?: unknown; userAgent?: string; deviceId?: unknown; httpOnlyRequested?: boolean }
  ): Promise<IssuedLogin> {
    const sanitizedUser = await strapi.contentAPI.sanitize.output(user, strapi.getModel(UID.user as any), {
      auth: request.auth as any,
    });
    const mode: string = strapi.config.get('plugin::users-permissions.jwtManagement', 'legacy-support');
    if (mode !== 'refresh') {
      const jwt = upService(strapi, 'jwt').issue({ id: user.id }) as string;
      return { body: { jwt, user: sanitizedUser }, jwtExpiresAt: decodeExp(jwt), refreshTokenExpiresAt: null };
    }

    const sessions = strapi.sessionManager('users-permissions');
    const deviceId = typeof request.deviceId === 'string' && request.deviceId.length > 0 ? request.deviceId : undefined;
    const metadata = buildSessionMetadata({ userAgent: request.userAgent });
    const refresh = await sessions.generateRefreshToken(String(user.id), deviceId, { type: 'refresh', metadata } as any);
    const access = await sessions.generateAccessToken(refresh.token);
    if ('error' in access) throw new errors.ApplicationError('Invalid credentials');

    const upSessions = strapi.config.get('plugin::users-permissions.sessions') as any;
    const absolute = (refresh as any).absoluteExpiresAt as string | undefined;
    const times = {
      jwtExpiresAt: decodeExp(access.token),
      refreshTokenExpiresAt: decodeExp(refresh.token) ?? (absolute ? Math.floor(Date.parse(absolute) / 1000) : null),
    };
    if (upSessions?.httpOnly || request.httpOnlyRequested) {
      const isProduction = process.env.NODE_ENV === 'production';
      const secure = typeof upSessions?.cookie?.secure === 'boolean' ? upSessions.cookie.secure : isProduction;
      return {
        body: { jwt: access.token, user: sanitizedUser },
        cookie: {
          name: upSessions?.cookie?.name || 'strapi_up_refresh',
          value: refresh.token,
          options: {
            httpOnly: true,
            secure,
            sameSite: upSessions?.cookie?.sameSite ?? 'lax',
            path: upSessions?.cookie?.path ?? '/',
            domain: upSessions?.cookie?.domain,
            maxAge: upSessions?.cookie?.maxAge,
            overwrite: true,
          },
        },
        ...times,
      };
    }
    return { body: { jwt: access.token, refreshToken: refresh.token, user: sanitizedUser }, ...times };
  },
});
