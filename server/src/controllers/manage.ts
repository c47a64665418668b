import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { bearerToken, pendingToken, tokenRequest } from '../utils/http';
import { sendIssued } from '../utils/answers';
import { validateConfirm, validateDisable, validateEnable, validateStepUp, validateStepUpCode } from './validation';

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
    const proof = { code: body.code, method: body.codeMethod, session: bearerToken(ctx) };
    return ctx.send(
      await getService(strapi, 'factors').enable(user, { method: body.method, phone: body.phone, proof }, requestMeta(ctx))
    );
  };

  const confirm = async (ctx: any, defaultMethod?: 'totp') => {
    const input = ctx.request.body ?? {};
    const isObject = typeof input === 'object' && !Array.isArray(input);
    const body = await validateConfirm(isObject ? { method: defaultMethod, ...input } : input);
    const who = await caller(ctx, body.mfaToken);
    const { confirmation, issued } = await getService(strapi, 'callers').confirmEnrolment(who, {
      method: body.method,
      code: body.code,
      meta: requestMeta(ctx),
      request: tokenRequest(ctx),
    });
    return issued ? sendIssued(strapi, ctx, issued, confirmation) : ctx.send(confirmation);
  };

  return {
    async status(ctx: any) {
      return ctx.send(await getService(strapi, 'factors').status(ctx.state.user.id));
    },

    enable: (ctx: any) => enable(ctx),

    /** The compatibility route `twoFa/enable` is called without a body: the authenticator app. */
    enableAuthenticator: (ctx: any) => enable(ctx, 'totp'),

    confirm: (ctx: any) => confirm(ctx),

    /** The compatibility route `twoFa/confirm`: the authenticator app unless `method` says otherwise, as `twoFa/enable`. */
    confirmAuthenticator: (ctx: any) => confirm(ctx, 'totp'),

    /** `{ code? }`: without a code, the caller's session must be fresh (a step-up). */
    async backupCodes(ctx: any) {
      const body = await validateStepUp(ctx.request.body ?? {});
      const proof = { code: body.code, method: body.method, session: bearerToken(ctx) };
      const backupCodes = await getService(strapi, 'factors').regenerateBackupCodes(ctx.state.user, proof, requestMeta(ctx));
      return ctx.send({ backupCodes });
    },

    async disable(ctx: any) {
      const body = await validateDisable(ctx.request.body ?? {});
      const proof = { code: body.code, session: bearerToken(ctx) };
      return ctx.send(await getService(strapi, 'factors').disable(ctx.state.user, proof, body.method, requestMeta(ctx)));
    },

    /** `POST /step-up` `{ code, method? }`: makes the caller's session fresh again. */
    async stepUp(ctx: any) {
      const body = await validateStepUpCode(ctx.request.body ?? {});
      const proof = { code: body.code, method: body.method, session: bearerToken(ctx) };
      return ctx.send(await getService(strapi, 'stepUp').refresh(ctx.state.user.id, proof, requestMeta(ctx)));
    },
  };
};
