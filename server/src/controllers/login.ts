import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getService } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { bearerToken, pendingToken, tokenRequest } from '../utils/http';
import { sendIssued } from '../utils/answers';
import { validatePasswordLogin, validateSend, validateVerify } from './validation';

/** The login steps: the second factor of a pending login, and the compatibility password route. */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async verify(ctx: any) {
    const body = await validateVerify(ctx.request.body ?? {});
    const issued = await getService(strapi, 'login').verify({
      token: pendingToken(strapi, ctx, body.mfaToken),
      code: body.code,
      method: body.method as any,
      meta: requestMeta(ctx),
      request: tokenRequest(ctx),
    });
    return sendIssued(strapi, ctx, issued);
  },

  /** `POST /send` `{ mfaToken?, method }`: a code by email or SMS for a pending login, or for a signed-in user's step-up. */
  async send(ctx: any) {
    const body = await validateSend(ctx.request.body ?? {});
    return ctx.send(
      await getService(strapi, 'otp').send({
        mfaToken: body.mfaToken,
        bearer: bearerToken(ctx),
        cookie: pendingToken(strapi, ctx, undefined),
        method: body.method as 'email' | 'sms',
        meta: requestMeta(ctx),
      })
    );
  },

  /** `POST /api/authentication/local` (compatibility route): `{ email | identifier, password }`, then the usual login. */
  async passwordLogin(ctx: any) {
    const body = await validatePasswordLogin(ctx.request.body ?? {});
    const identifier = body.identifier ?? body.email;
    if (!identifier) throw new errors.ValidationError('identifier or email is required');
    ctx.request.body = { identifier, password: body.password };
    ctx.params = { ...(ctx.params || {}), provider: 'local' };
    // The users-permissions login with this plugin's password step in front (see register.ts).
    return (strapi.plugin('users-permissions').controller('auth') as any).callback(ctx);
  },
});
