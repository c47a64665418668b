import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { requestMeta } from '../utils/request-meta';
import { bearerToken, pendingToken, tokenRequest } from '../utils/http';
import { sendIssued, sendLogin } from '../utils/answers';
import { twoFactorError } from '../utils/errors';
import { stepUpInput } from './devices';
import {
  validatePasskeyAdd,
  validatePasskeyChallenge,
  validatePasskeyLogin,
  validatePasskeyOptions,
  validatePasskeyRemove,
  validatePasskeyRename,
} from './validation';

/** Passkeys (WebAuthn): registration, the second factor's challenge, passwordless sign-in, the user's list. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const enrolment = () => getService(strapi, 'passkeyEnrolment');

  /** Registration is open to a signed-in user and to a setup-required pending login, as `enable` is. */
  const caller = (ctx: any, mfaToken: unknown) =>
    getService(strapi, 'callers').resolve({ bearer: bearerToken(ctx), pending: pendingToken(strapi, ctx, mfaToken) });

  return {
    /** `POST /passkeys/options` `{ code?, codeMethod?, mfaToken? }`: creation options. */
    async registrationOptions(ctx: any) {
      const body = await validatePasskeyOptions(ctx.request.body ?? {});
      const who = await caller(ctx, body.mfaToken);
      const proof = { code: body.code, method: body.codeMethod, session: bearerToken(ctx) };
      return ctx.send(await enrolment().options(who, proof, requestMeta(ctx)));
    },

    /** `POST /passkeys` `{ response, name? }`: the new passkey (and, for a setup-required login, its tokens). */
    async register(ctx: any) {
      const body = await validatePasskeyAdd(ctx.request.body ?? {});
      const who = await caller(ctx, body.mfaToken);
      const { passkey, issued } = await enrolment().add(who, {
        response: body.response,
        name: body.name,
        proof: { code: body.code, method: body.codeMethod, session: bearerToken(ctx) },
        meta: requestMeta(ctx),
        request: tokenRequest(ctx),
      });
      return issued ? sendIssued(strapi, ctx, issued, passkey) : ctx.send(passkey);
    },

    /** `POST /passkeys/challenge` `{ mfaToken? }` (or the pending cookie): request options for the second factor. */
    async challenge(ctx: any) {
      const body = await validatePasskeyChallenge(ctx.request.body ?? {});
      const token = pendingToken(strapi, ctx, body.mfaToken) ?? bearerToken(ctx);
      if (!token) throw twoFactorError('AUTH_REQUIRED');
      return ctx.send(await getService(strapi, 'login').passkeyChallenge({ token }));
    },

    async list(ctx: any) {
      return ctx.send(await getService(strapi, 'passkeys').list(ctx.state.user.id));
    },

    async rename(ctx: any) {
      const body = await validatePasskeyRename(ctx.request.body ?? {});
      return ctx.send(await enrolment().rename(ctx.state.user.id, ctx.params?.id, body.name, requestMeta(ctx)));
    },

    /** `{ code? }` (or `X-Two-Factor-Code`): without a code, the caller's session must be fresh. */
    async remove(ctx: any) {
      const input = await validatePasskeyRemove(stepUpInput(ctx));
      const proof = { code: input.code, method: input.method, session: bearerToken(ctx) };
      return ctx.send(await enrolment().remove(ctx.state.user, ctx.params?.id, proof, requestMeta(ctx)));
    },

    async passwordlessOptions(ctx: any) {
      return ctx.send(await getService(strapi, 'passwordless').options());
    },

    /** `POST /passkeys/login` `{ response }`: users-permissions' login answer. */
    async passwordlessLogin(ctx: any) {
      const body = await validatePasskeyLogin(ctx.request.body ?? {});
      const issued = await getService(strapi, 'passwordless').login({
        response: body.response,
        meta: requestMeta(ctx),
        request: tokenRequest(ctx),
      });
      return sendLogin(strapi, ctx, issued);
    },
  };
};
