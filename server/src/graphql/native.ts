import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { markGraphql, pendingOf, setupDeadlineOf } from '../utils/request-state';
import { GUARDED_ACTIONS } from '../extensions/users-permissions';
import {
  validateConfirm,
  validateDisable,
  validateEnable,
  validatePasskeyAdd,
  validatePasskeyLogin,
  validatePasskeyOptions,
  validatePasskeyRemove,
  validatePasskeyRename,
  validateStepUp,
  validateStepUpCode,
  validateVerify,
} from '../controllers/validation';
import { pendingError, type ResolverMiddleware } from './errors';
import { bearer, issuedBody, meta, signedIn, tokens, type GraphQLContext } from './request';
import { fromNative } from './methods';
import { CODE_METHODS } from '../vocabulary';
import { pubLimited, scoped, type Dialect } from './auth';
import { deviceToken } from '../utils/http';

/**
 * Strapi-native operations: `login` answers a pending login with an error carrying
 * the mfa token, and the REST routes one for one. Each resolver validates with REST's
 * validators, calls the same service and shapes the answer.
 */
const typeDefs = /* GraphQL */ `
  type TwoFactorStatus {
    enabled: Boolean!
    methods: [String!]!
    backupCodesRemaining: Int!
  }

  "An enrolment started: the QR code and secret for an authenticator app, or the message that a code was sent."
  type TwoFactorEnrolment {
    qrCode: String
    qrCodeSvg: String
    secret: String
    otpauthUrl: String
    message: String
  }

  "A confirmed factor. backupCodes come once, with the first factor; jwt and user complete a setup-required login."
  type TwoFactorConfirmation {
    enabled: Boolean!
    methods: [String!]!
    backupCodes: [String!]
    jwt: String
    refreshToken: String
    user: UsersPermissionsMe
  }

  "A step-up: the caller's session is fresh until then (null when the plugin keeps no session fresh)."
  type TwoFactorStepUp {
    freshUntil: String
  }

  "A device whose logins skip the second factor (its token is never shown again)."
  type TwoFactorRememberedDevice {
    id: ID!
    label: String!
    createdAt: String!
    lastUsedAt: String
    expiresAt: String!
    "The request presented this device's token (X-Two-Factor-Device header or cookie)."
    current: Boolean!
  }

  "A passkey of the caller (never its public key)."
  type TwoFactorPasskeyItem {
    id: ID!
    name: String!
    createdAt: String!
    lastUsedAt: String
    transports: [String!]!
    backedUp: Boolean!
    deviceType: String
  }

  "A passkey added: backupCodes come once, with the first factor; jwt and user complete a setup-required login."
  type TwoFactorPasskeyAdded {
    passkey: TwoFactorPasskeyItem!
    enabled: Boolean!
    methods: [String!]!
    backupCodes: [String!]
    jwt: String
    refreshToken: String
    user: UsersPermissionsMe
  }

  extend type UsersPermissionsLoginPayload {
    "twoFactorVerify with trustDevice, when the site allows it: send it as X-Two-Factor-Device with later logins."
    deviceToken: String
    "A user of a role that must use two-factor, signed in inside the grace period: set up a factor by then (ISO 8601)."
    twoFactorSetupRequiredBy: String
  }

  extend type Query {
    twoFactorStatus: TwoFactorStatus!
    twoFactorDevices: [TwoFactorRememberedDevice!]!
    "The caller's passkeys."
    twoFactorPasskeys: [TwoFactorPasskeyItem!]!
  }

  extend type Mutation {
    "trustDevice: remember this device (when the site allows it); the answer's deviceToken then skips the code at its next logins."
    twoFactorVerify(mfaToken: String!, code: String!, method: String, trustDevice: Boolean): UsersPermissionsLoginPayload!
    twoFactorSend(mfaToken: String!, method: String!): String!
    "code (and codeMethod): a current code of a method the account already has; needed once it has one."
    twoFactorEnable(method: String!, phone: String, mfaToken: String, code: String, codeMethod: String): TwoFactorEnrolment!
    twoFactorConfirm(method: String!, code: String!, mfaToken: String): TwoFactorConfirmation!
    "code: a current code; it may be left out within a fresh session (after a verify or twoFactorStepUp)."
    twoFactorBackupCodes(code: String, method: String): [String!]!
    "code: a current code; it may be left out within a fresh session (after a verify or twoFactorStepUp)."
    twoFactorDisable(code: String, method: String): TwoFactorStatus!
    twoFactorStepUp(code: String!, method: String): TwoFactorStepUp!
    "Forgets one of the caller's remembered devices."
    twoFactorRevokeDevice(id: ID!): ID!
    "Forgets every remembered device of the caller; code: a current code, left out within a fresh session. Answers how many."
    twoFactorRevokeDevices(code: String, method: String): Int!
    "Creation options for startRegistration({ optionsJSON }); code (and codeMethod) once the account has a factor, unless the session is fresh."
    twoFactorPasskeyOptions(mfaToken: String, code: String, codeMethod: String): JSON!
    "response: what startRegistration answered (RegistrationResponseJSON)."
    twoFactorAddPasskey(response: JSON!, name: String, mfaToken: String, code: String, codeMethod: String): TwoFactorPasskeyAdded!
    "Request options for startAuthentication({ optionsJSON }), for the pending login's second factor."
    twoFactorPasskeyChallenge(mfaToken: String!): JSON!
    "The pending login's second factor with a passkey: response is what startAuthentication answered."
    twoFactorVerifyPasskey(mfaToken: String!, response: JSON!, trustDevice: Boolean): UsersPermissionsLoginPayload!
    twoFactorRenamePasskey(id: ID!, name: String!): TwoFactorPasskeyItem!
    "code: a current code; it may be left out within a fresh session."
    twoFactorRemovePasskey(id: ID!, code: String, method: String): TwoFactorStatus!
    "Passwordless sign-in (when the site allows it): request options for a discoverable credential."
    twoFactorPasskeyLoginOptions: JSON!
    "Passwordless sign-in: response is what startAuthentication answered."
    twoFactorPasskeyLogin(response: JSON!): UsersPermissionsLoginPayload!
  }
`;

/**
 * users-permissions' `login` (and every other mutation of an action the guard answers with a
 * pending login) returns no JWT to a two-factor user: the answer becomes the TWO_FACTOR_REQUIRED
 * error, which carries the pending login (documented; no REST cookie is set).
 */
const pendingGuard =
  (strapi: Core.Strapi): ResolverMiddleware =>
  async (resolve, parent, args, context, info) => {
    markGraphql(context.koaContext);
    const result = await resolve(parent, args, context, info);
    const pending = pendingOf(context.koaContext);
    if (pending) throw pendingError(strapi, pending);
    const setupBy = setupDeadlineOf(context.koaContext);
    return setupBy && result && typeof result === 'object' ? { ...result, twoFactorSetupRequiredBy: setupBy } : result;
  };

export default (strapi: Core.Strapi): Dialect => {
  const factors = () => getService(strapi, 'factors');
  const login = () => getService(strapi, 'login');
  const devices = () => getService(strapi, 'devices');
  const passkeyEnrolment = () => getService(strapi, 'passkeyEnrolment');

  /** A signed-in user or a setup-required login, as REST's enrolment routes accept. */
  const caller = (context: GraphQLContext, mfaToken?: string) =>
    getService(strapi, 'callers').resolve({ bearer: bearer(context), pending: mfaToken });

  const guard = pendingGuard(strapi);
  const guarded = Object.fromEntries(Object.values(GUARDED_ACTIONS).map((name) => [`Mutation.${name}`, { middlewares: [guard] }]));

  return {
    typeDefs,
    resolvers: {
      Query: {
        twoFactorStatus: (_: unknown, __: unknown, context: GraphQLContext) => factors().status(signedIn(context).id),
        twoFactorDevices: (_: unknown, __: unknown, context: GraphQLContext) =>
          devices().list(signedIn(context).id, deviceToken(context.koaContext)),
        twoFactorPasskeys: (_: unknown, __: unknown, context: GraphQLContext) => getService(strapi, 'passkeys').list(signedIn(context).id),
      },
      Mutation: {
        async twoFactorVerify(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateVerify({ ...args, trustDevice: args.trustDevice ?? undefined });
          const issued = await login().verify({
            token: input.mfaToken,
            code: input.code,
            method: input.method,
            meta: meta(context),
            request: tokens(context),
            trustDevice: input.trustDevice,
          });
          return { ...issuedBody(context, issued), deviceToken: issued.device?.token ?? null };
        },

        async twoFactorSend(_: unknown, args: any, context: GraphQLContext) {
          const method = fromNative(args.method, CODE_METHODS);
          const { message } = await getService(strapi, 'login').sendCode({ token: args.mfaToken, method, meta: meta(context) });
          return message;
        },

        async twoFactorEnable(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateEnable(args);
          const { user } = await caller(context, input.mfaToken);
          const proof = { code: input.code ?? undefined, method: input.codeMethod, session: bearer(context) };
          return factors().enable(user, { method: input.method, phone: input.phone, proof }, meta(context));
        },

        async twoFactorConfirm(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateConfirm(args);
          const { confirmation, issued } = await getService(strapi, 'callers').confirmEnrolment(await caller(context, input.mfaToken), {
            method: input.method,
            code: input.code,
            meta: meta(context),
            request: tokens(context),
          });
          return { ...confirmation, ...(issued ? issuedBody(context, issued) : {}) };
        },

        async twoFactorBackupCodes(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateStepUp({ code: args.code ?? undefined, method: args.method ?? undefined });
          const proof = { code: input.code, method: input.method, session: bearer(context) };
          return factors().regenerateBackupCodes(signedIn(context), proof, meta(context));
        },

        async twoFactorDisable(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateDisable({ code: args.code ?? undefined, method: args.method ?? undefined });
          const user = signedIn(context);
          await factors().disable(user, { code: input.code, session: bearer(context) }, input.method, meta(context));
          return factors().status(user.id);
        },

        async twoFactorStepUp(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateStepUpCode({ code: args.code, method: args.method ?? undefined });
          const proof = { code: input.code, method: input.method, session: bearer(context) };
          return getService(strapi, 'stepUp').refresh(signedIn(context).id, proof, meta(context));
        },

        async twoFactorRevokeDevice(_: unknown, args: { id: string }, context: GraphQLContext) {
          return String((await devices().revoke(signedIn(context).id, args.id, meta(context))).id);
        },

        async twoFactorPasskeyOptions(_: unknown, args: any, context: GraphQLContext) {
          const input = await validatePasskeyOptions({ mfaToken: args.mfaToken ?? undefined, code: args.code ?? undefined, codeMethod: args.codeMethod ?? undefined });
          const proof = { code: input.code, method: input.codeMethod, session: bearer(context) };
          return passkeyEnrolment().options(await caller(context, input.mfaToken), proof, meta(context));
        },

        async twoFactorAddPasskey(_: unknown, args: any, context: GraphQLContext) {
          const input = await validatePasskeyAdd({
            response: args.response,
            name: args.name ?? undefined,
            mfaToken: args.mfaToken ?? undefined,
            code: args.code ?? undefined,
            codeMethod: args.codeMethod ?? undefined,
          });
          const { passkey, issued } = await passkeyEnrolment().add(await caller(context, input.mfaToken), {
            response: input.response,
            name: input.name,
            proof: { code: input.code, method: input.codeMethod, session: bearer(context) },
            meta: meta(context),
            request: tokens(context),
          });
          const { enabled, methods, backupCodes, ...item } = passkey;
          return { passkey: item, enabled, methods, backupCodes, ...(issued ? issuedBody(context, issued) : {}) };
        },

        async twoFactorPasskeyChallenge(_: unknown, args: { mfaToken: string }) {
          return login().passkeyChallenge({ token: args.mfaToken });
        },

        async twoFactorVerifyPasskey(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateVerify({
            mfaToken: args.mfaToken,
            method: 'passkey',
            response: args.response,
            trustDevice: args.trustDevice ?? undefined,
          });
          const issued = await login().verify({
            token: input.mfaToken,
            code: input.code,
            method: 'passkey',
            meta: meta(context),
            request: tokens(context),
            trustDevice: input.trustDevice,
          });
          return { ...issuedBody(context, issued), deviceToken: issued.device?.token ?? null };
        },

        async twoFactorRenamePasskey(_: unknown, args: { id: string; name: unknown }, context: GraphQLContext) {
          const input = await validatePasskeyRename({ name: args.name });
          return passkeyEnrolment().rename(signedIn(context).id, args.id, input.name, meta(context));
        },

        async twoFactorRemovePasskey(_: unknown, args: any, context: GraphQLContext) {
          const input = await validatePasskeyRemove({ code: args.code ?? undefined, method: args.method ?? undefined });
          const user = signedIn(context);
          await passkeyEnrolment().remove(user, args.id, { code: input.code, method: input.method, session: bearer(context) }, meta(context));
          return factors().status(user.id);
        },

        twoFactorPasskeyLoginOptions: () => getService(strapi, 'passwordless').options(),

        async twoFactorPasskeyLogin(_: unknown, args: any, context: GraphQLContext) {
          const input = await validatePasskeyLogin({ response: args.response });
          const issued = await getService(strapi, 'passwordless').login({ response: input.response, meta: meta(context), request: tokens(context) });
          return issuedBody(context, issued);
        },

        async twoFactorRevokeDevices(_: unknown, args: any, context: GraphQLContext) {
          const input = await validateStepUp({ code: args.code ?? undefined, method: args.method ?? undefined });
          const proof = { code: input.code, method: input.method, session: bearer(context) };
          return (await devices().revokeAll(signedIn(context).id, proof, meta(context))).revoked;
        },
      },
    },
    resolversConfig: {
      ...guarded,
      'Query.twoFactorStatus': scoped('manage.status'),
      'Mutation.twoFactorVerify': pubLimited(strapi, '/verify'),
      'Mutation.twoFactorSend': pubLimited(strapi, '/send'),
      'Mutation.twoFactorEnable': pubLimited(strapi, '/enable'),
      'Mutation.twoFactorConfirm': pubLimited(strapi, '/confirm'),
      'Mutation.twoFactorBackupCodes': scoped('manage.backupCodes'),
      'Mutation.twoFactorDisable': scoped('manage.disable'),
      'Mutation.twoFactorStepUp': scoped('manage.stepUp'),
      'Query.twoFactorDevices': scoped('devices.list'),
      'Mutation.twoFactorRevokeDevice': scoped('devices.revoke'),
      'Mutation.twoFactorRevokeDevices': scoped('devices.revokeAll'),
      'Query.twoFactorPasskeys': scoped('passkeys.list'),
      'Mutation.twoFactorPasskeyOptions': pubLimited(strapi, '/passkeys/options'),
      'Mutation.twoFactorAddPasskey': pubLimited(strapi, '/passkeys'),
      'Mutation.twoFactorPasskeyChallenge': pubLimited(strapi, '/passkeys/challenge'),
      'Mutation.twoFactorVerifyPasskey': pubLimited(strapi, '/verify'),
      'Mutation.twoFactorRenamePasskey': scoped('passkeys.rename'),
      'Mutation.twoFactorRemovePasskey': scoped('passkeys.remove'),
      'Mutation.twoFactorPasskeyLoginOptions': pubLimited(strapi, '/passkeys/login/options'),
      'Mutation.twoFactorPasskeyLogin': pubLimited(strapi, '/passkeys/login'),
    },
  };
};
