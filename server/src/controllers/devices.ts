import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { bearerToken, deviceToken } from '../utils/http';
import { validateStepUp } from './validation';

/**
 * Strapi parses no DELETE body unless the app asks it to: a revoke-all's step-up code may come in
 * the body where one is parsed, else in the `X-Two-Factor-Code` (and `X-Two-Factor-Method`) header.
 */
export const stepUpInput = (ctx: any) => {
  const body = ctx.request?.body;
  if (body && typeof body === 'object' && Object.keys(body).length) return body;
  const header = (name: string) => (typeof ctx.request?.header?.[name] === 'string' ? ctx.request.header[name] : undefined);
  return { code: header('x-two-factor-code'), method: header('x-two-factor-method') };
};

/** A user's remembered devices: the list, and forgetting one or all. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const devices = () => getService(strapi, 'devices');

  return {
    async list(ctx: any) {
      return ctx.send(await devices().list(ctx.state.user.id, deviceToken(ctx)));
    },

    async revoke(ctx: any) {
      return ctx.send(await devices().revoke(ctx.state.user.id, ctx.params?.id, requestMeta(ctx)));
    },

    /** `{ code? }`: without a code, the caller's session must be fresh (a step-up). */
    async revokeAll(ctx: any) {
      const input = await validateStepUp(stepUpInput(ctx));
      const proof = { code: input.code, method: input.method, session: bearerToken(ctx) };
      return ctx.send(await devices().revokeAll(ctx.state.user.id, proof, requestMeta(ctx)));
    },
  };
};
