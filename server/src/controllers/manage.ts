import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { bearerToken, pendingToken, tokenRequest } from '../utils/http';
import { sendIssued } from '../utils/answers';
import { validateCode, validateConfirm, validateDisable, validateEnable } from './validation';

/** A user's own two-factor settings: status, enrolment, backup codes, disable. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  /** Enrolment is open to a signed-in user and to a setup-required pending login. */
  const caller = (ctx: any, mfaToken: unknown) =>
    getService(strapi, 'callers').resolve({
      bearer: bearerToken(ctx),
      pending: pendingToken(strapi, ctx, mfaToken),
    });

  const enable = async (ctx: any, defaultMethod?: 'totp') => {
    const input = ctx.request.body ?? {};
    const isObject = typeof input === 'object' && !Array.isArray(input);
    const body = await validateEnable(isObject ? { method: defaultMethod, ...input } : input);
    const { user } = await caller(ctx, body.mfaToken);
    const proof = { code: body.code, method: body.codeMethod };
    return ctx.send(
      await getService(strapi, 'factors').enable(user, { method: body.method, phone: body.phone, proof }, requestMeta(ctx))
    );
  };

  return {
    async status(ctx: any) {
      return ctx.send(await getService(strapi, 'factors').status(ctx.state.user.id));
    },

    enable: (ctx: any) => enable(ctx),

    /** The compatibility route `twoFa/enable` is called without a body: the authenticator app. */
    enableAuthenticator: (ctx: any) => enable(ctx, 'totp'),

    async confirm(ctx: any) {
      const body = await validateConfirm(ctx.request.body ?? {});
      const who = await caller(ctx, body.mfaToken);
      const { confirmation, issued } = await getService(strapi, 'callers').confirmEnrolment(who, {
        method: body.method,
        code: body.code,
        meta: requestMeta(ctx),
        request: tokenRequest(ctx),
      });
      return issued
        ? sendIssued(strapi, ctx, issued, confirmation)
        : ctx.send(confirmation);
    },

    async backupCodes(ctx: any) {
      const body = await validateCode(ctx.request.body ?? {});
      const backupCodes = await getService(strapi, 'factors').regenerateBackupCodes(ctx.state.user, body.code, requestMeta(ctx));
      return ctx.send({ backupCodes });
    },

    async disable(ctx: any) {
      const body = await validateDisable(ctx.request.body ?? {});
      return ctx.send(
        await getService(strapi, 'factors').disable(ctx.state.user, body.code, body.method, requestMeta(ctx))
      );
    },
  };
};
