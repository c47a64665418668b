import type { Core } from '@strapi/strapi';
import { verifyPendingToken } from '../core';
import { validateVerify } from '../controllers/validation';
import { getService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import { pendingToken } from '../utils/http';
import errorAnswers from './error-answers';
import { apiPath, requestLimiter } from './rate-limit';

type Next = () => Promise<unknown>;

/**
 * Application middleware (added after the configured `config/middlewares.js` chain, before the
 * router): a verify of a pending login whose account this process knows to be locked is answered
 * here, without the router, the route's chain and the controller. It runs what the route would
 * run before the lock check — the body validation, the pending-token signature, the plugin's
 * error answers and users-permissions' request limiter (the guess is counted for its IP as
 * before) — and throws the same LOCKED error, so Strapi's error middleware and the global chain
 * (logger, helmet, CORS) give it the route's exact answer. Any other request passes untouched.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  // The REST verify and the compatibility one (whose pending-token branch is the same verify).
  const paths = new Set([apiPath(strapi, '/two-factor/verify'), apiPath(strapi, '/authentication/twoFa/verify')]);
  const answers = errorAnswers();
  const limited = requestLimiter(strapi);

  /**
   * Seconds the route would answer LOCKED with, or null. Its checks in its order: the body's
   * shape, then the token's signature and purpose, then the lock this process knows of (never a
   * read). Checking the lock before the signature would tell anyone whether an account is locked.
   */
  const knownLock = async (ctx: any): Promise<number | null> => {
    let body;
    try {
      body = await validateVerify(ctx.request.body ?? {});
    } catch {
      return null; // the route answers the malformed request
    }
    const payload = verifyPendingToken(pendingToken(strapi, ctx, body.mfaToken), getService(strapi, 'keys').get().pendingToken);
    if (!payload || payload.purpose !== 'login') return null;
    return getService(strapi, 'throttle').knownLock(Number(payload.userId));
  };

  return async (ctx: any, next: Next) => {
    if (ctx.method !== 'POST' || !paths.has(ctx.path)) return next();
    const retryAfter = await knownLock(ctx);
    if (retryAfter === null) return next();
    const locked = async () => {
      throw twoFactorError('LOCKED', undefined, { retryAfter });
    };
    // The route's own chain around its controller: error answers, then the limiter.
    return answers(ctx, async () => {
      await limited(ctx, ctx.request.path, locked);
    });
  };
};
