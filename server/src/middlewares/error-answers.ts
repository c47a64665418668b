import { errors } from '@strapi/utils';

/** A locked-out answer carries Retry-After (SECURITY.md R3) and says nothing more. */
export const setRetryAfter = (ctx: any, error: unknown) => {
  const retryAfter = (error as any)?.details?.retryAfter;
  if (error instanceof errors.RateLimitError && Number.isInteger(retryAfter)) {
    ctx.set('Retry-After', String(retryAfter));
  }
};

/**
 * How the plugin's own errors reach a REST client: Retry-After on a lockout, and a 401 that keeps
 * its message (Strapi's route authorization layer would otherwise turn every UnauthorizedError
 * thrown below it into a bare "Unauthorized").
 */
export default () => async (ctx: any, next: () => Promise<void>) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof errors.UnauthorizedError) {
      return ctx.unauthorized(error.message, error.details);
    }
    setRetryAfter(ctx, error);
    throw error;
  }
};
