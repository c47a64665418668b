import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import { requestMeta } from '../utils/request-meta';
import { bearerToken, pendingToken, tokenRequest } from '../utils/http';
import { sendIssued } from '../utils/answers';
import { validateConfirm, validatePasswordLogin, validateSend, validateVerify } from './validation';

/** The login steps: the second factor of a pending login, and the compatibility password route. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const verify = async (ctx: any) => {
    const body = await validateVerify(ctx.request.body ?? {});
    const issued = await getService(strapi, 'login').verify({
      token: pendingToken(strapi, ctx, body.mfaToken),
      code: body.code,
      method: body.method,
      meta: requestMeta(ctx),
      request: tokenRequest(ctx),
      trustDevice: body.trustDevice,
    });
    return sendIssued(strapi, ctx, issued);
  };

  return {
    verify,

    /**
     * `POST /api/authentication/twoFa/verify`: that API has no confirm step, so with no pending
     * login (body or cookie) and a signed-in bearer, the code confirms the caller's pending
     * enrolment (the authenticator app unless `method` says otherwise). Otherwise, `verify`.
     */
    async verifyOrConfirm(ctx: any) {
      const body = await validateVerify(ctx.request.body ?? {});
      const bearer = bearerToken(ctx);
      if (!pendingToken(strapi, ctx, body.mfaToken) && bearer) {
        const caller = await getService(strapi, 'callers').signedIn(bearer);
        if (caller) {
          const input = await validateConfirm({
            method: body.method ?? 'totp',
            code: body.code,
          });
          const { confirmation } = await getService(strapi, 'callers').confirmEnrolment(caller, {
            ...input,
            meta: requestMeta(ctx),
            request: tokenRequest(ctx),
          });
          return ctx.send(confirmation);
        }
      }
      return verify(ctx);
    },

    /**
     * `POST /send` `{ mfaToken?, method }`: the credential decides what the code is for. A pending
     * login (body, then bearer, then cookie) gets a sign-in code; a users-permissions JWT as
     * bearer, a step-up code to change the signed-in user's 2FA.
     */
    async send(ctx: any) {
      const body = await validateSend(ctx.request.body ?? {});
      const input = { method: body.method, meta: requestMeta(ctx) };
      const bearer = bearerToken(ctx);
      const signedIn = !body.mfaToken && bearer ? await getService(strapi, 'callers').signedIn(bearer) : null;
      if (signedIn)
        return ctx.send(
          await getService(strapi, 'otp').sendStepUp({
            userId: signedIn.user.id,
            ...input,
          }),
        );
      const token = body.mfaToken || bearer || pendingToken(strapi, ctx, undefined);
      if (!token) throw twoFactorError('AUTH_REQUIRED');
      return ctx.send(await getService(strapi, 'login').sendCode({ token, ...input }));
    },

    /** `POST /api/authentication/local` (compatibility route): `{ email | identifier, password }`, then the usual login. */
    async passwordLogin(ctx: any) {
      const body = await validatePasswordLogin(ctx.request.body ?? {});
      const identifier = body.identifier ?? body.email;
      if (!identifier) throw twoFactorError('INVALID_INPUT', 'identifier or email is required');
      ctx.request.body = { identifier, password: body.password, deviceToken: body.deviceToken };
      ctx.params = { ...(ctx.params || {}), provider: 'local' };
      // The users-permissions login with this plugin's password step in front (extensions/users-permissions.ts).
      return strapi
        .plugin('users-permissions')
        .controller('auth')
        .callback(ctx, async () => undefined);
    },
  };
};
