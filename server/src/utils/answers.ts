import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from './plugin';
import type { PluginConfig } from '../config';
import type { PendingLogin } from '../services/login';
import type { VerifiedLogin } from '../services/login';
import { DEVICE_COOKIE } from './http';

/** How a pending login or issued tokens are answered over REST: the JSON and the cookies. */
const config = (strapi: Core.Strapi) => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;

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

/** The body of a password step that needs a second factor (or a first enrolment). */
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

/** The pending login as JSON; `cookie`: also in the httpOnly cookie a browser continues with. */
export const sendPending = (strapi: Core.Strapi, ctx: any, pending: PendingLogin, options: { cookie: boolean }) => {
  if (options.cookie) {
    ctx.cookies?.set?.(config(strapi).cookie.name, pending.mfaToken, {
      ...cookieOptions(strapi, ctx),
      maxAge: Date.parse(pending.expiresAt) - Date.now(),
    });
  }
  return ctx.send(pendingBody(pending));
};

/**
 * Issued tokens, answered as users-permissions answers a login; the pending cookie is spent. A
 * remembered device adds `deviceToken` and its cookie (on the REST prefix, for the next logins).
 */
export const sendIssued = (strapi: Core.Strapi, ctx: any, issued: VerifiedLogin, extra: object = {}) => {
  ctx.cookies?.set?.(config(strapi).cookie.name, null, cookieOptions(strapi, ctx));
  return sendLogin(strapi, ctx, issued, extra);
};

/** Tokens as users-permissions answers a login (its refresh cookie, if any), with a newly remembered device's token. */
export const sendLogin = (strapi: Core.Strapi, ctx: any, issued: VerifiedLogin, extra: object = {}) => {
  if (issued.cookie) ctx.cookies.set(issued.cookie.name, issued.cookie.value, issued.cookie.options);
  if (!issued.device) return ctx.send({ ...issued.body, ...extra });
  // The pending cookie's options (SameSite, Secure) on the REST prefix: a frontend on another site
  // that sets `cookie.sameSite` for the one needs it for the other.
  ctx.cookies?.set?.(DEVICE_COOKIE, issued.device.token, {
    ...cookieOptions(strapi, ctx),
    path: strapi.config.get('api.rest.prefix', '/api'),
    maxAge: issued.device.maxAge * 1000,
  });
  return ctx.send({ ...issued.body, ...extra, deviceToken: issued.device.token });
};
