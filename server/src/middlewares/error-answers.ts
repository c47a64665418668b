import { errors } from '@strapi/utils';
import { ServiceUnavailableError, withCode } from '../utils/errors';

/** A locked-out answer carries Retry-After, and says nothing more. */
export const setRetryAfter = (ctx: any, error: unknown) => {
  if (!(error instanceof errors.RateLimitError)) return;
  const retryAfter = (error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
  if (Number.isInteger(retryAfter)) ctx.set('Retry-After', String(retryAfter));
};

/**
 * How the plugin's errors reach a REST client: each with its code in `error.details.code`
 * (utils/errors.ts), Retry-After on a 429 that knows when to retry, a 401 or 403 that keeps its
 * message and details (Strapi's route authorization layer would otherwise turn every
 * UnauthorizedError or ForbiddenError thrown below it into a bare "Unauthorized" / "Forbidden"),
 * and a failed email or SMS delivery as a 503 in Strapi's error format.
 */
export default () => async (ctx: any, next: () => Promise<void>) => {
  try {
    await next();
  } catch (thrown) {
    const error = withCode(thrown);
    if (error instanceof errors.UnauthorizedError) {
      return ctx.unauthorized(error.message, error.details);
    }
    if (error instanceof errors.ForbiddenError) {
      return ctx.forbidden(error.message, error.details);
    }
    if (error instanceof ServiceUnavailableError) {
      ctx.status = 503;
      ctx.body = { data: null, error: { status: 503, name: error.name, message: error.message, details: error.details ?? {} } };
      return;
    }
    setRetryAfter(ctx, error);
    throw error;
  }
};
