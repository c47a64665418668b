import type { Core } from '@strapi/strapi';

export const PLUGIN_ID = 'two-factor';

export const UID = {
  factor: 'plugin::two-factor.factor',
  challenge: 'plugin::two-factor.challenge',
  backupCode: 'plugin::two-factor.backup-code',
  event: 'plugin::two-factor.event',
  throttle: 'plugin::two-factor.throttle',
  rateLimit: 'plugin::two-factor.rate-limit',
  roleMembership: 'plugin::two-factor.role-membership',
  device: 'plugin::two-factor.device',
  passkey: 'plugin::two-factor.passkey',
  user: 'plugin::users-permissions.user',
} as const;

/** Typed access to this plugin's services, so a service can call another without a cast at every site. */
export const getService = <K extends keyof import('../services').Services>(
  strapi: Core.Strapi,
  name: K
): import('../services').Services[K] =>
  strapi.plugin(PLUGIN_ID).service(name) as unknown as import('../services').Services[K];

/** users-permissions' token mode: `refresh` issues sessions (access + refresh tokens), else a legacy JWT. */
export const upRefreshMode = (strapi: Core.Strapi): boolean =>
  strapi.config.get<string>('plugin::users-permissions.jwtManagement', 'legacy-support') === 'refresh';

/** users-permissions' session settings, and the name of its refresh cookie as it names it. */
export const upSessions = (strapi: Core.Strapi): any => strapi.config.get('plugin::users-permissions.sessions') ?? {};
export const upRefreshCookieName = (strapi: Core.Strapi): string => upSessions(strapi).cookie?.name || 'strapi_up_refresh';

/** users-permissions' own services: tokens, passwords, users are issued the way it issues them. */
export const upService = (strapi: Core.Strapi, name: string): any =>
  strapi.plugin('users-permissions').service(name);
