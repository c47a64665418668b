import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from './plugin';
import type { PluginConfig } from '../config';
import type { PendingLogin } from '../services/login';
import type { IssuedLogin, TokenRequest } from '../services/tokens';

/**
 * Request and response plumbing shared by the REST controllers and the login override:
 * where credentials come from, and how a pending login or issued tokens are answered.
 */
const config = (strapi: Core.Strapi) => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;

/** The bearer token of the Authorization header, if it is one. */
export const bearerToken = (ctx: any): string | undefined => {
  const header = ctx.request?.header?.authorization;
  if (typeof header !== 'string') return undefined;
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  return scheme?.toLowerCase() === 'bearer' && token && rest.length === 0 ? token : undefined;
};

/** The pending-login token of the request: body first, then the httpOnly cookie. */
export const pendingToken = (strapi: Core.Strapi, ctx: any, fromBody: unknown): string | undefined => {
  if (typeof fromBody === 'string' && fromBody) return fromBody;
  const cookie = ctx.cookies?.get?.(config(strapi).cookie.name);
  return typeof cookie === 'string' && cookie ? cookie : undefined;
};

/** What users-permissions reads from a login request when it issues tokens. */
export const tokenRequest = (ctx: any): TokenRequest => ({
  auth: ctx.state?.auth,
  userAgent: ctx.request?.headers?.['user-agent'],
  deviceId: ctx.request?.body?.deviceId,
  httpOnlyRequested: ctx.request?.header?.['x-strapi-refresh-cookie'] === 'httpOnly',
});

const cookieOptions = (strapi: Core.Strapi, ctx: any) => {
  const { cookie } = config(strapi);
  return {
    httpOnly: true,
    // Koa refuses a secure cookie on a plain connection: follow the request unless configured.
    secure: cookie.secure ?? Boolean(ctx.secure),
    sameSite: cookie.sameSite,
    path: cookie.path,
    overwrite: true,
  };
};

/** The answer to a password step that needs a second factor (docs/rest-api.md): JSON and cookie. */
export const pendingBody = (pending: PendingLogin) =>
  pending.purpose === 'login'
    ? { message: '2FA required', twoFaRequired: true, mfaToken: pending.mfaToken, methods: pending.methods, expiresAt: pending.expiresAt }
    : {
        message: '2FA setup required',
        twoFaSetupRequired: true,
        mfaToken: pending.mfaToken,
        methods: pending.methods,
        expiresAt: pending.expiresAt,
      };

/**
 * What a users-permissions action answered, recorded on the request for the GraphQL face, which
 * calls the same actions through mutations that pass on only `jwt` and `user`: a pending login
 * instead of tokens, or the full login answer (with refreshToken in refresh mode).
 */
const PENDING_STATE = 'twoFactorPending';
const ISSUED_STATE = 'twoFactorIssued';
export const pendingOf = (ctx: any): PendingLogin | undefined => ctx?.state?.[PENDING_STATE];
export const issuedOf = (ctx: any): { jwt?: string; refreshToken?: string } | undefined => ctx?.state?.[ISSUED_STATE];
export const recordIssued = (ctx: any) => {
  if (ctx?.state) ctx.state[ISSUED_STATE] = ctx.body;
};
export const clearRecorded = (ctx: any) => {
  if (!ctx?.state) return;
  delete ctx.state[PENDING_STATE];
  delete ctx.state[ISSUED_STATE];
};

export const sendPending = (strapi: Core.Strapi, ctx: any, pending: PendingLogin) => {
  if (ctx.state) ctx.state[PENDING_STATE] = pending;
  ctx.cookies?.set?.(config(strapi).cookie.name, pending.mfaToken, {
    ...cookieOptions(strapi, ctx),
    maxAge: Date.parse(pending.expiresAt) - Date.now(),
  });
  return ctx.send(pendingBody(pending));
};

/** Issued tokens, answered as users-permissions answers a login; the pending cookie is spent. */
export const sendIssued = (strapi: Core.Strapi, ctx: any, issued: IssuedLogin, extra: Record<string, unknown> = {}) => {
  ctx.cookies?.set?.(config(strapi).cookie.name, null, cookieOptions(strapi, ctx));
  if (issued.cookie) ctx.cookies.set(issued.cookie.name, issued.cookie.value, issued.cookie.options);
  return ctx.send({ ...issued.body, ...extra });
};
