import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getService } from '../utils/plugin';
import { decodeExp, type IssuedLogin } from '../services/tokens';
import { validateCode } from '../controllers/validation';
import { CRAFT_METHOD } from './methods';
import { pub, scoped, type Dialect } from './auth';
import { issuedBody, meta, passwordLogin, signedIn, tokens, type GraphQLContext } from './request';

/**
 * The Craft GraphQL Authentication dialect (seeds 000 and 001): the authenticator app only,
 * password and code in one call, expiry times in unix seconds.
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
  }

  extend type Query {
    twoFactorEnabled: Boolean!
  }

  extend type Mutation {
    "code: a current code of a method the account already has (an account with a factor must give one)."
    generateTwoFactorQrCode(code: String): String!
    generateTwoFactorSecretCode(code: String): String!
    verifyTwoFactor(email: String!, password: String!, code: String!): TwoFactorAuth!
    authenticate(email: String!, password: String!): TwoFactorAuth!
    "Answers whether two-factor is still enabled. With a factor enabled, a current code is needed."
    disableTwoFactor(password: String!, confirmPassword: String!, code: String): Boolean!
  }
`;

const NEEDS_SECOND_FACTOR = {
  jwt: null,
  jwtExpiresAt: null,
  refreshToken: null,
  refreshTokenExpiresAt: null,
  user: null,
  requiresTwoFactor: true,
};

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : '');

/** Full-name fields host apps commonly add to the user; the username when there are none. */
const fullName = (user: any): string =>
  text(user.fullName) ||
  text(user.name) ||
  [user.firstname ?? user.firstName, user.lastname ?? user.lastName].map(text).filter(Boolean).join(' ') ||
  String(user.username ?? '');

const answer = (context: GraphQLContext, issued: IssuedLogin, backupCodes?: string[]) => {
  const body = issuedBody(context, issued);
  return {
    jwt: body.jwt,
    jwtExpiresAt: issued.jwtExpiresAt,
    refreshToken: body.refreshToken ?? null,
    refreshTokenExpiresAt: issued.refreshTokenExpiresAt,
    user: body.user,
    requiresTwoFactor: false,
    backupCodes: backupCodes ?? null,
  };
};

/** A plain users-permissions login (no second factor involved) in the same shape. */
const fromPlainLogin = (context: GraphQLContext, step: { jwt: string; refreshToken?: string; user: unknown }, backupCodes?: string[]) =>
  answer(
    context,
    {
      body: { jwt: step.jwt, refreshToken: step.refreshToken, user: step.user },
      jwtExpiresAt: decodeExp(step.jwt),
      refreshTokenExpiresAt: decodeExp(step.refreshToken),
    },
    backupCodes
  );

export default (strapi: Core.Strapi): Dialect => {
  const factors = () => getService(strapi, 'factors');
  const login = () => getService(strapi, 'login');

  const enrolment = (context: GraphQLContext, args: { code?: string | null }) =>
    factors().currentTotpEnrolment(signedIn(context), { code: args.code ?? undefined }, meta(context));

  return {
    typeDefs,
    resolvers: {
      TwoFactorAuthUser: { fullName },
      Query: {
        twoFactorEnabled: async (_: unknown, __: unknown, context: GraphQLContext) =>
          (await factors().status(signedIn(context).id)).enabled,
      },
      Mutation: {
        generateTwoFactorQrCode: async (_: unknown, args: any, context: GraphQLContext) =>
          (await enrolment(context, args)).qrCodeSvg,
        generateTwoFactorSecretCode: async (_: unknown, args: any, context: GraphQLContext) =>
          (await enrolment(context, args)).secret,

        async authenticate(_: unknown, args: any, context: GraphQLContext, info: any) {
          const step = await passwordLogin(info, context, args.email, args.password);
          return 'pending' in step ? NEEDS_SECOND_FACTOR : fromPlainLogin(context, step);
        },

        /** Logs in with password and code; the code also confirms a pending authenticator enrolment. */
        async verifyTwoFactor(_: unknown, args: any, context: GraphQLContext, info: any) {
          const step = await passwordLogin(info, context, args.email, args.password);
          const common = { code: args.code, meta: meta(context), request: tokens(context) };
          if ('pending' in step && step.pending.purpose === 'login') {
            return answer(context, await login().verify({ token: step.pending.mfaToken, ...common }));
          }
          if ('pending' in step) {
            const done = await login().confirmSetup({ token: step.pending.mfaToken, method: CRAFT_METHOD, ...common });
            return answer(context, done.issued, done.confirmation.backupCodes);
          }
          // The session this password login just opened is the caller's own: it outlives 2FA's start.
          const keepSession = (await getService(strapi, 'callers').signedIn(step.jwt))?.sessionId;
          const confirmation = await factors().confirm(step.user, CRAFT_METHOD, args.code, common.meta, { keepSession });
          return fromPlainLogin(context, step, confirmation.backupCodes);
        },

        async disableTwoFactor(_: unknown, args: any, context: GraphQLContext) {
          const user = signedIn(context);
          if (args.password !== args.confirmPassword) throw new errors.ValidationError('Passwords do not match');
          await getService(strapi, 'callers').confirmPassword(user.id, args.password);
          if (!(await factors().hasConfirmed(user.id))) return false;
          const { code } = await validateCode({ code: args.code ?? undefined });
          return (await factors().disable(user, code, undefined, meta(context))).enabled;
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
