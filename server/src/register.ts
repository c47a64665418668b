import type { Core } from '@strapi/strapi';
import { guardUsersPermissions } from './controllers/users-permissions-guard';
import { registerGraphql } from './graphql';

/**
 * users-permissions' routes bind controller actions during strapi.bootstrap(), before plugin
 * bootstraps, so its token-issuing actions are guarded here; the GraphQL extension (only where
 * the graphql plugin is installed) must be registered here too.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  guardUsersPermissions(strapi);
  registerGraphql(strapi);
};
