import type { Schema, Zod } from './zod';
import { json } from './zod';
import { CODE_METHODS, FACTOR_METHODS, METHODS } from '../../vocabulary';

/**
 * The login steps of the content API (docs/rest-api.md, "Logging in"): the pending-login answers
 * of a password step, the second factor, codes sent for it, and the compatibility password route.
 */
export const loginSchemas = (z: Zod) => {
  const mfaToken = z.string().max(2048).describe('The pending login; may come from the Authorization header or the cookie instead');
  const code = z.string().describe('A current code: from the authenticator app, an emailed or texted code, or a backup code');
  const expiresAt = z.string().describe('When the pending login expires (ISO 8601)');

  /** A password step that needs the second factor. */
  const twoFaRequired = z.object({
    message: z.literal('2FA required'),
    twoFaRequired: z.literal(true),
    mfaToken: z.string(),
    methods: z.array(z.enum(FACTOR_METHODS)).describe('The methods the account can answer with'),
    expiresAt,
  });
  /** A password step of a role that must use 2FA, by an account with no factor yet. */
  const twoFaSetupRequired = z.object({
    message: z.literal('2FA setup required'),
    twoFaSetupRequired: z.literal(true),
    mfaToken: z.string(),
    methods: z.array(z.enum(METHODS)).describe('The methods the account may enrol'),
    expiresAt,
  });
  /** A role's grace period: users-permissions' own login answers of such a user add it too. */
  const setupRequiredBy = z
    .string()
    .optional()
    .describe("The user's role requires 2FA and its grace period runs until then (ISO 8601): the user should set it up");

  /**
   * An answer that may instead be a pending login, as every password step's may; an object answer
   * (users-permissions' tokens) also gets the grace period's deadline the plugin adds to it.
   */
  const orPending = (answer: Schema) =>
    z.union([answer instanceof z.ZodObject ? answer.extend({ twoFactorSetupRequiredBy: setupRequiredBy }) : answer, twoFaRequired, twoFaSetupRequired]);

  /** users-permissions' login answer, unchanged (refresh mode adds `refreshToken`). */
  const tokens = z.object({
    jwt: z.string(),
    refreshToken: z.string().optional(),
    user: z
      .looseObject({
        id: z.number(),
        documentId: z.string(),
        username: z.string(),
        email: z.string(),
        provider: z.string(),
        confirmed: z.boolean(),
        blocked: z.boolean(),
        createdAt: z.string(),
        updatedAt: z.string(),
        publishedAt: z.string(),
      })
      .describe("The users-permissions user, as users-permissions' own login answers it"),
  });
  /** A second factor's answer: the tokens, and a newly remembered device's token. */
  const issued = tokens.extend({
    deviceToken: z.string().optional().describe('This login remembered the device (`trustDevice`): send it with the next logins'),
  });

  const deviceToken = z.string().optional().describe('A remembered device: its login skips the second factor (also read from the cookie)');
  /** A password login's body with the remembered device's token (an object body; another is left as it is). */
  const withDeviceToken = (body: Schema) => (body instanceof z.ZodObject ? body.extend({ deviceToken }) : body);

  const verifyBody = z.object({
    mfaToken: mfaToken.optional(),
    code,
    method: z.enum(FACTOR_METHODS).optional(),
    trustDevice: z.boolean().optional().describe('Remember this device (while the site allows it): the answer adds `deviceToken`'),
  });

  return {
    orPending,
    withDeviceToken,
    tokens,
    issued,
    code,
    mfaToken,
    verifyBody,
    verify: json(verifyBody, issued),
    send: json(
      z.object({ mfaToken: mfaToken.optional(), method: z.enum(CODE_METHODS) }),
      z.object({ message: z.string().describe('Where the code went') })
    ),
    passwordLogin: json(
      z.object({
        identifier: z.string().max(512).optional(),
        email: z.string().max(512).optional().describe('Taken when `identifier` is left out'),
        password: z.string().max(512),
        deviceToken,
      }),
      orPending(tokens)
    ),
  };
};
