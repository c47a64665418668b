import { errors } from '@strapi/utils';

/** A locked-out answer carries Retry-After (SECURITY.md R3); the error itself says no more. */
export default () => async (ctx: any, next: () => Promise<void>) => {
  try {
    await next();
  } catch (error) {
    const retryAfter = (error as any)?.details?.retryAfter;
    if (error instanceof errors.RateLimitError && Number.isInteger(retryAfter)) {
      ctx.set('Retry-After', String(retryAfter));
    }
    throw error;
  }
};
