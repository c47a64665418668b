import type { Core } from '@strapi/strapi';
import { documentPendingAnswers, guardUsersPermissions } from './extensions/users-permissions';
import { registerGraphql } from './graphql';
import { guardContentManager } from './extensions/content-manager';

/**
 * users-permissions' routes bind controller actions during strapi.bootstrap(), before plugin
 * bootstraps, so its token-issuing actions are guarded here; the GraphQL extension (only where
 * the graphql plugin is installed) must be registered here too, and so must the content manager's
 * refusal of the plugin's records. users-permissions' route documentation is completed before
 * Strapi registers its routes.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  guardUsersPermissions(strapi);
  documentPendingAnswers(strapi);
  guardContentManager(strapi);
  registerGraphql(strapi);
};
