import type { Core } from '@strapi/strapi';
import { UID } from '../utils/plugin';
import native from './native';
import craft from './craft';
import nyyu from './nyyu';

/**
 * The GraphQL face (docs/graphql.md), only where @strapi/plugin-graphql is installed and enabled:
 * the Strapi-native operations and the Craft and NYYU dialects, all adapters over the services.
 */
export const registerGraphql = (strapi: Core.Strapi) => {
  const graphql = strapi.plugin('graphql');
  if (!graphql) return;
  const extension = graphql.service('extension') as any;

  // The plugin's own records are never content: no generated queries or mutations for them.
  for (const uid of [UID.factor, UID.challenge, UID.backupCode, UID.event, UID.throttle]) {
    extension.shadowCRUD(uid).disable();
  }
  for (const dialect of [native, craft, nyyu]) {
    extension.use(() => dialect(strapi));
  }
};
