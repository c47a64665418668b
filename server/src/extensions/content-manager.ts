import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { PLUGIN_ID } from '../utils/plugin';
import { ERROR_CODES } from '../utils/errors';

const OWN_TYPES = `plugin::${PLUGIN_ID}.`;
const POLICY = `plugin::${PLUGIN_ID}.refuse-plugin-records`;

/**
 * Where a content-manager request names its content type: the route's `:model`, `:uid` or
 * `:contentType`, the history's `?contentType=`, the UID generator's `contentTypeUID`.
 */
const namedTypes = (ctx: any): unknown[] => [
  ctx.params?.model,
  ctx.params?.uid,
  ctx.params?.contentType,
  ctx.query?.contentType,
  ctx.request?.body?.contentTypeUID,
];

/**
 * The plugin's records (pending-login nonces, code and backup-code hashes, encrypted secrets,
 * phone numbers, the audit log) are not content: hidden from the content manager's lists by their
 * schemas, and refused by its API too, even to a super admin. The plugin's own admin pages,
 * behind its own permissions, are the way to them.
 */
export const refusePluginRecords = (ctx: any): true => {
  if (namedTypes(ctx).some((uid) => typeof uid === 'string' && uid.startsWith(OWN_TYPES))) {
    // PolicyError: the one 403 whose message Strapi's authorization layer passes on.
    throw new errors.PolicyError(ERROR_CODES.NOT_CONTENT.message, { code: 'NOT_CONTENT' });
  }
  return true;
};

/** Puts the refusal in front of every content-manager admin route (routes bind during bootstrap). */
export const guardContentManager = (strapi: Core.Strapi) => {
  const routes = strapi.plugin('content-manager')?.routes;
  if (!routes) return;
  for (const group of Object.values(routes)) {
    for (const route of group?.routes ?? (Array.isArray(group) ? group : [])) {
      route.config = { ...route.config, policies: [POLICY, ...(route.config?.policies ?? [])] };
    }
  }
};
