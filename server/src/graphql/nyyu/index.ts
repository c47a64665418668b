import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { codeOf, twoFactorError } from '../../utils/errors';
import { getService } from '../../utils/plugin';
import { FACTOR_METHODS, METHODS, PASSKEY } from '../../vocabulary';
import { validateConfirm, validateEnable } from '../../controllers/validation';
import { fromNyyu } from '../methods';
import { pub, pubLimited, type Dialect } from '../auth';
import { bearer, issuedBody, meta, tokens, type GraphQLContext } from '../request';
import { signInWith } from '../sign-in';
import { nyyuOperations } from './operations';

/**
 * The NYYU exchange dialect: methods `app` / `email` / `phone`, answers as strings
 * and `Credentials { status, token }` with NYYU's own wording of the services' answers.
 */
const typeDefs = /* GraphQL */ `
  input TwoFAEntry {
    key: String!
    value: String!
  }

  type Credentials {
    status: String
    token: String
    "confirm2FA with trustDevice, when the site allows it: send it as X-Two-Factor-Device with later sign-ins."
    deviceToken: String
  }

  extend type Mutation {
    "app: a QR code (data:image/png;base64); email or phone: a code is sent. token: a setup-required pending login instead of a JWT. code (and codeMethod): a current code of a method the account already has; needed once it has one."
    request2FA(email: String!, method: String!, phone: String, token: String, code: String, codeMethod: String): String!
    confirmRequest2FA(email: String!, method: String!, code: String!, token: String): String!
    signin(email: String!, password: String!): Credentials!
    "trustDevice: remember this device (when the site allows it): its next sign-ins need only the password."
    confirm2FA(email: String!, token: String!, code: [TwoFAEntry]!, trustDevice: Boolean): Credentials!
  }
`;

const MESSAGES = {
  success: 'Success',
  secondFactor: '2FA',
  failed: 'Failed',
  mismatch: '2FA code mismatch',
  expired: 'Password expired',
} as const;

// One entry per method at the most: more is not a login, it is a guessing batch.
/** The methods NYYU enrols and answers with a code: passkeys have their own ceremony (REST or the native operations). */
const CODE_ENROLLED = METHODS.filter((method) => method !== PASSKEY);
const CODE_FACTORS = FACTOR_METHODS.filter((method) => method !== PASSKEY);
const MAX_ENTRIES = CODE_FACTORS.length;

const credentials = (status: string, token: string) => ({ status, token });

/** NYYU words the generic wrong-code answer its own way; every other error stays as it is. */
const mismatchAsNyyu = (error: unknown): never => {
  if (codeOf(error) === 'INVALID_CODE') throw twoFactorError('INVALID_CODE', MESSAGES.mismatch);
  throw error;
};

export default (strapi: Core.Strapi): Dialect => {
  const factors = () => getService(strapi, 'factors');
  const nyyu = nyyuOperations(strapi);
  const signIn = signInWith(strapi);

  /** The enrolling account: signed in (JWT) or a setup-required login, and the email must be its own. */
  const caller = async (context: GraphQLContext, email: string, token?: string) => {
    const who = await getService(strapi, 'callers').resolve({ bearer: bearer(context), pending: token ?? undefined });
    if (String(who.user.email ?? '').toLowerCase() !== email.trim().toLowerCase()) {
      throw twoFactorError('WRONG_ACCOUNT');
    }
    return who;
  };

  return {
    typeDefs,
    resolvers: {
      Mutation: {
        async request2FA(_: unknown, args: any, context: GraphQLContext) {
          const method = fromNyyu(args.method, CODE_ENROLLED);
          const input = await validateEnable({ method, phone: args.phone ?? undefined });
          const { user } = await caller(context, args.email, args.token);
          const proof = {
            code: args.code ?? undefined,
            method: args.codeMethod ? fromNyyu(args.codeMethod, CODE_FACTORS, 'codeMethod') : undefined,
            session: bearer(context),
          };
          const result = await factors().enable(user, { method, phone: input.phone, proof }, meta(context));
          return 'message' in result ? String(result.message) : result.qrCode;
        },

        async confirmRequest2FA(_: unknown, args: any, context: GraphQLContext) {
          const method = fromNyyu(args.method, CODE_ENROLLED);
          const input = await validateConfirm({ method, code: args.code });
          const who = await caller(context, args.email, args.token);
          await getService(strapi, 'callers')
            .confirmEnrolment(who, { method, code: input.code, meta: meta(context), request: tokens(context) })
            .catch(mismatchAsNyyu);
          return MESSAGES.success;
        },

        async signin(_: unknown, args: { email: string; password: string }, context: GraphQLContext) {
          try {
            const step = await signIn(context, args.email, args.password);
            return 'pending' in step
              ? credentials(MESSAGES.secondFactor, step.pending.mfaToken)
              : credentials(MESSAGES.success, step.issued.body.jwt);
          } catch (error) {
            if (error instanceof errors.ApplicationError) return credentials(MESSAGES.failed, error.message);
            throw error;
          }
        },

        async confirm2FA(_: unknown, args: any, context: GraphQLContext) {
          const list: unknown[] = args.code;
          if (list.length > MAX_ENTRIES) throw twoFactorError('INVALID_INPUT', `code takes at most ${MAX_ENTRIES} entries`);
          const entries = list.map((entry: any, index) => {
            if (!entry) throw twoFactorError('INVALID_INPUT', `code[${index}] must be an entry { key, value }`);
            return { method: fromNyyu(entry.key, CODE_FACTORS, `code[${index}].key`), code: entry.value };
          });
          try {
            const issued = await nyyu.verifyEach({
              token: args.token,
              email: args.email,
              entries,
              meta: meta(context),
              request: tokens(context),
              trustDevice: args.trustDevice === true,
            });
            const answer = credentials(MESSAGES.success, issuedBody(context, issued).jwt);
            return issued.device ? { ...answer, deviceToken: issued.device.token } : answer;
          } catch (error) {
            if (codeOf(error) === 'PENDING_EXPIRED') return credentials(MESSAGES.failed, MESSAGES.expired);
            if (codeOf(error) === 'INVALID_CODE') return credentials(MESSAGES.failed, MESSAGES.mismatch);
            throw error;
          }
        },
      },
    },
    resolversConfig: {
      'Mutation.request2FA': pubLimited(strapi, '/enable'),
      'Mutation.confirmRequest2FA': pubLimited(strapi, '/confirm'),
      'Mutation.signin': pub,
      'Mutation.confirm2FA': pubLimited(strapi, '/verify'),
    },
  };
};
