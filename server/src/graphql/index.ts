import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../utils/plugin';
import native from './native';
import craft from './craft';
import nyyu from './nyyu';

/** Every content type of this plugin, as the registry knows them (a new one is covered without a list to update). */
const ownContentTypes = (strapi: Core.Strapi): string[] =>
  Object.keys(strapi.contentTypes).filter((uid) => uid.startsWith(`plugin::${PLUGIN_ID}.`));

/**
 * The GraphQL face, only where @strapi/plugin-graphql is installed and enabled:
 * the Strapi-native operations and the Craft and NYYU dialects, all adapters over the services.
 */
export const registerGraphql = (strapi: Core.Strapi) => {
  const graphql = strapi.plugin('graphql');
  if (!graphql) return;
  const extension = graphql.service('extension');

  // The plugin's own records are never content: no generated types, queries or mutations.
  for (const uid of ownContentTypes(strapi)) {
    extension.shadowCRUD(uid).disable();
  }
  for (const dialect of [native, craft, nyyu]) {
    extension.use(() => dialect(strapi));
  }
};
