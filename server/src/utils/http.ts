import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from './plugin';
import type { PluginConfig } from '../config';
import type { TokenRequest } from '../services/tokens';

/** What a REST request carries: its credentials, and what users-permissions reads to issue tokens. */
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

/** Where a remembered device's token travels besides a login body. */
export const DEVICE_COOKIE = 'strapi_two_factor_device';
export const DEVICE_HEADER = 'x-two-factor-device';

/**
 * The remembered-device token of a request: the login body's `deviceToken` where the face has
 * one, then the `X-Two-Factor-Device` header, then the cookie. Any type passes: the devices
 * service counts only a valid token.
 */
export const deviceToken = (ctx: any, fromBody?: unknown): unknown => {
  if (fromBody !== undefined && fromBody !== null && fromBody !== '') return fromBody;
  const header = ctx?.request?.header?.[DEVICE_HEADER];
  if (typeof header === 'string' && header) return header;
  const cookie = ctx?.cookies?.get?.(DEVICE_COOKIE);
  return typeof cookie === 'string' && cookie ? cookie : undefined;
};

/** What users-permissions reads from a login request when it issues tokens. */
export const tokenRequest = (ctx: any): TokenRequest => ({
  auth: ctx.state?.auth,
  userAgent: ctx.request?.headers?.['user-agent'],
  deviceId: ctx.request?.body?.deviceId,
  httpOnlyRequested: ctx.request?.header?.['x-strapi-refresh-cookie'] === 'httpOnly',
});
