import { errors } from '@strapi/utils';
import { ServiceUnavailableError } from '../utils/errors';

/**
 * How the plugin's own errors reach the client:
 * - a locked-out answer carries Retry-After (SECURITY.md R3) and says nothing more;
 * - a 401 keeps its message: Strapi's route authorization layer would otherwise turn every
 *   UnauthorizedError thrown below it into a bare "Unauthorized";
 * - a failed email or SMS delivery is a 503 in Strapi's error format.
 */
export default () => async (ctx: any, next: () => Promise<void>) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof errors.UnauthorizedError) {
      return ctx.unauthorized(error.message, error.details);
    }
    if (error instanceof ServiceUnavailableError) {
      ctx.status = 503;
      ctx.body = { data: null, error: { status: 503, name: error.name, message: error.message, details: error.details ?? {} } };
      return;
    }
    const retryAfter = (error as any)?.details?.retryAfter;
    if (error instanceof errors.RateLimitError && Number.isInteger(retryAfter)) {
      ctx.set('Retry-After', String(retryAfter));
    }
    throw error;
  }
};
