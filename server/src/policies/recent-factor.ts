import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { ERROR_CODES } from '../utils/errors';
import { getService } from '../utils/plugin';
import { bearerToken } from '../utils/http';

export interface RecentFactorConfig {
  /** Seconds since the session last passed a second factor; at most the plugin's `stepUpWindow`. */
  maxAge?: number;
  /** Let users without any factor through (they have none to pass). Off: they are refused too. */
  allowWithoutFactor?: boolean;
}

/**
 * `plugin::two-factor.recent-factor`: for a host app's own REST routes (route `config.policies`)
 * and GraphQL resolvers (`resolversConfig`). The session must have passed a second factor (a
 * login's verify or `POST /api/two-factor/step-up`) within `maxAge` seconds; otherwise 403 with
 * `details.code: "STEP_UP_REQUIRED"`, on GraphQL also in `extensions.details`.
 */
export const recentFactor = async (policyContext: any, config: RecentFactorConfig = {}, { strapi }: { strapi: Core.Strapi }) => {
  const graphql = policyContext.is?.('graphql') === true;
  const ctx = graphql ? policyContext.http : policyContext;
  const user = policyContext.state?.user;
  const fresh = user ? await getService(strapi, 'stepUp').recent(user.id, bearerToken(ctx), config) : false;
  if (fresh) return true;
  const details = { code: 'STEP_UP_REQUIRED' };
  // PolicyError: the 403 whose message and details Strapi passes on to the client.
  const error = new errors.PolicyError(ERROR_CODES.STEP_UP_REQUIRED.message, details) as errors.PolicyError & { extensions?: object };
  if (graphql) error.extensions = { details };
  throw error;
};
