import type { Core } from '@strapi/strapi';

type Next = () => Promise<unknown>;
type Middleware = (ctx: any, next: Next) => Promise<unknown>;

/** The REST path a limit is counted under: `/auth/local` → `/api/auth/local` (Strapi's API prefix). */
export const apiPath = (strapi: Core.Strapi, path: string) => {
  const prefix = String(strapi.config.get('api.rest.prefix', '/api') ?? '/api').replace(/^\/+|\/+$/g, '');
  return `/${[prefix, path.replace(/^\/+/, '')].filter(Boolean).join('/')}`;
};

/**
 * users-permissions' own request limiter (its `ratelimit` settings and store, on or off as the
 * operator set it), counted the way it counts `/auth/local`: per path and client IP. Its key would
 * otherwise include `body.email` on any other path, a field the caller chooses, so a new email per
 * request would be a new allowance. Strapi's GraphQL login runs the same limiter this way.
 */
export const requestLimiter = (strapi: Core.Strapi) => {
  const limiter = strapi.middleware('plugin::users-permissions.rateLimit')({}, { strapi }) as Middleware;
  /** Runs `next` under the limit counted for `bucket` (a REST path); the request is left as it came. */
  return (ctx: any, bucket: string, next: Next) => {
    const { url } = ctx;
    const body = ctx.request.body;
    const restore = () => {
      ctx.url = url;
      ctx.request.body = body;
    };
    ctx.request.path = bucket;
    ctx.request.body = {};
    return limiter(ctx, () => {
      restore();
      return next();
    }).finally(restore);
  };
};

/**
 * Route middleware for the plugin's public routes that check a password or a code. `bucket`
 * (config) counts a route with another one: the compatibility login path shares `/auth/local`'s.
 */
export default (config: { bucket?: string } = {}, { strapi }: { strapi: Core.Strapi }) => {
  const limited = requestLimiter(strapi);
  return (ctx: any, next: Next) => limited(ctx, config.bucket ? apiPath(strapi, config.bucket) : ctx.request.path, next);
};
