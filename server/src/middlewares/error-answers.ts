import { errors } from '@strapi/utils';

/**
 * How the plugin's own errors reach the client:
 * - a locked-out answer carries Retry-After (SECURITY.md R3) and says nothing more;
 * - a 401 keeps its message: Strapi's route authorization layer would otherwise turn every
 *   UnauthorizedError thrown below it into a bare "Unauthorized".
 */
export default () => async (ctx: any, next: () => Promise<void>) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof errors.UnauthorizedError) {
      return ctx.unauthorized(error.message, error.details);
    }
    const retryAfter = (error as any)?.details?.retryAfter;
    if (error instanceof errors.RateLimitError && Number.isInteger(retryAfter)) {
      ctx.set('Retry-After', String(retryAfter));
    }
    throw error;
  }
};
