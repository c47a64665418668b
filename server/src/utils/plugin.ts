import type { Core } from '@strapi/strapi';

export const PLUGIN_ID = 'two-factor';

export const UID = {
  factor: 'plugin::two-factor.factor',
  challenge: 'plugin::two-factor.challenge',
  backupCode: 'plugin::two-factor.backup-code',
  event: 'plugin::two-factor.event',
  throttle: 'plugin::two-factor.throttle',
  rateLimit: 'plugin::two-factor.rate-limit',
  user: 'plugin::users-permissions.user',
} as const;

/** Typed access to this plugin's services, so a service can call another without a cast at every site. */
export const getService = <K extends keyof import('../services').Services>(
  strapi: Core.Strapi,
  name: K
): import('../services').Services[K] =>
  strapi.plugin(PLUGIN_ID).service(name) as unknown as import('../services').Services[K];

/** users-permissions' own services: tokens, passwords, users are issued the way it issues them. */
export const upService = (strapi: Core.Strapi, name: string): any =>
  strapi.plugin('users-permissions').service(name);
