import type { Core } from '@strapi/strapi';
import { guardUsersPermissions } from './controllers/users-permissions-guard';

/**
 * users-permissions' routes bind controller actions during strapi.bootstrap(), before plugin
 * bootstraps, so its token-issuing actions are guarded here.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  guardUsersPermissions(strapi);
};
