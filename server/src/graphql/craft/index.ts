import type { Core } from '@strapi/strapi';
import { getService } from '../../utils/plugin';
import { validateStepUp } from '../../controllers/validation';
import { CRAFT_METHOD } from '../methods';
import { pub, scoped, type Dialect } from '../auth';
import { bearer, issuedBody, meta, signedIn, tokens, type GraphQLContext } from '../request';
import { signInWith } from '../sign-in';
import { NEEDS_SECOND_FACTOR, craftLogin, craftOperations, fullName } from './operations';

/**
 * The Craft CMS GraphQL Authentication dialect: the authenticator app only, password and code in
 * one call, expiry times in unix seconds.
 */
const typeDefs = /* GraphQL */ `
  type TwoFactorAuthUser {
    id: ID!
    documentId: ID
    username: String
    email: String
    "The best full name the user record has, else the username."
    fullName: String!
  }

  "A login: every field is null and requiresTwoFactor is true when a second factor is still needed."
  type TwoFactorAuth {
    jwt: String
    jwtExpiresAt: Long
    refreshToken: String
    refreshTokenExpiresAt: Long
    user: TwoFactorAuthUser
    requiresTwoFactor: Boolean!
    "Given once, when verifyTwoFactor confirmed the account's first factor."
    backupCodes: [String!]
    "verifyTwoFactor with trustDevice, when the site allows it: send it as X-Two-Factor-Device with later logins."
    deviceToken: String
  }

  extend type Query {
    twoFactorEnabled: Boolean!
  }

  extend type Mutation {
    "code: a current code of a method the account already has (an account with a factor must give one)."
    generateTwoFactorQrCode(code: String): String!
    generateTwoFactorSecretCode(code: String): String!
    "trustDevice: remember this device (when the site allows it): its next logins need only the password."
    verifyTwoFactor(email: String!, password: String!, code: String!, trustDevice: Boolean): TwoFactorAuth!
    authenticate(email: String!, password: String!): TwoFactorAuth!
    "Answers whether two-factor is still enabled. With a factor enabled, a current code is needed unless the session is fresh (it passed a second factor within the step-up window)."
    disableTwoFactor(password: String!, confirmPassword: String!, code: String): Boolean!
  }
`;

export default (strapi: Core.Strapi): Dialect => {
  const factors = () => getService(strapi, 'factors');
  const login = () => getService(strapi, 'login');
  const craft = craftOperations(strapi);
  const signIn = signInWith(strapi);

  const enrolment = (context: GraphQLContext, args: { code?: string | null }) =>
    craft.currentTotpEnrolment(signedIn(context), { code: args.code ?? undefined, session: bearer(context) }, meta(context));

  /** Tokens issued after a second factor, in Craft's shape; the refresh cookie, if any, as users-permissions sets it. */
  const answer = (context: GraphQLContext, ...[issued, ...rest]: Parameters<typeof craftLogin>) => {
    issuedBody(context, issued);
    return craftLogin(issued, ...rest);
  };

  return {
    typeDefs,
    resolvers: {
      TwoFactorAuthUser: { fullName },
      Query: {
        twoFactorEnabled: async (_: unknown, __: unknown, context: GraphQLContext) =>
          (await factors().status(signedIn(context).id)).enabled,
      },
      Mutation: {
        generateTwoFactorQrCode: async (_: unknown, args: { code?: string | null }, context: GraphQLContext) =>
          (await enrolment(context, args)).qrCodeSvg,
        generateTwoFactorSecretCode: async (_: unknown, args: { code?: string | null }, context: GraphQLContext) =>
          (await enrolment(context, args)).secret,

        async authenticate(_: unknown, args: { email: string; password: string }, context: GraphQLContext) {
          const step = await signIn(context, args.email, args.password);
          return 'pending' in step ? NEEDS_SECOND_FACTOR : craftLogin(step.issued, 'body');
        },

        /** Logs in with password and code; the code also confirms a pending authenticator enrolment. */
        async verifyTwoFactor(
          _: unknown,
          args: { email: string; password: string; code: string; trustDevice?: boolean | null },
          context: GraphQLContext
        ) {
          const step = await signIn(context, args.email, args.password);
          const common = { code: args.code, meta: meta(context), request: tokens(context) };
          if ('pending' in step && step.pending.purpose === 'login') {
            const verified = await login().verify({ token: step.pending.mfaToken, ...common, trustDevice: args.trustDevice === true });
            return { ...answer(context, verified, 'body-or-cookie'), deviceToken: verified.device?.token ?? null };
          }
          if ('pending' in step) {
            const done = await login().confirmSetup({ token: step.pending.mfaToken, method: CRAFT_METHOD, ...common });
            return answer(context, done.issued, 'body-or-cookie', done.confirmation.backupCodes);
          }
          // The session this password login just opened is the caller's own: it outlives 2FA's start.
          const keepSession = (await getService(strapi, 'callers').signedIn(step.issued.body.jwt))?.sessionId;
          const confirmation = await factors().confirm(step.user, CRAFT_METHOD, args.code, common.meta, { keepSession });
          return craftLogin(step.issued, 'body', confirmation.backupCodes);
        },

        async disableTwoFactor(
          _: unknown,
          args: { password: string; confirmPassword: string; code?: string | null },
          context: GraphQLContext
        ) {
          const user = signedIn(context);
          await craft.confirmPassword(user.id, args.password, args.confirmPassword);
          if (!(await getService(strapi, 'verification').hasConfirmed(user.id))) return false;
          // Seed-style clients send no code: within a fresh session none is needed (step-up).
          const { code } = await validateStepUp({ code: args.code ?? undefined });
          return (await factors().disable(user, { code, session: bearer(context) }, undefined, meta(context))).enabled;
        },
      },
    },
    resolversConfig: {
      'Query.twoFactorEnabled': scoped('manage.status'),
      'Mutation.generateTwoFactorQrCode': scoped('manage.enable'),
      'Mutation.generateTwoFactorSecretCode': scoped('manage.enable'),
      'Mutation.authenticate': pub,
      'Mutation.verifyTwoFactor': pub,
      'Mutation.disableTwoFactor': scoped('manage.disable'),
    },
  };
};
