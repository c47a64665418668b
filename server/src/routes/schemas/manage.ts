import type { Zod } from './zod';
import { json } from './zod';
import { FACTOR_METHODS, METHODS } from '../../vocabulary';
import { loginSchemas } from './login';

/** A user's own two-factor settings (docs/rest-api.md, "Managing one's own 2FA"). */
export const manageSchemas = (z: Zod) => {
  const { code, mfaToken, tokens, issued, verifyBody } = loginSchemas(z);
  const methods = z.array(z.enum(METHODS)).describe("The account's confirmed methods");
  const backupCodes = z.array(z.string()).describe('One-time recovery codes, shown this once');

  const enableBody = z.object({
    method: z.enum(METHODS),
    phone: z.string().max(32).optional().describe('SMS: the number, in E.164 form (+14155551234)'),
    mfaToken: mfaToken.optional().describe('A setup-required pending login, instead of a JWT'),
    code: code.optional().describe('A current code of a method the account already has; needed once it has one'),
    codeMethod: z.enum(FACTOR_METHODS).optional().describe("The method of `code`; left out, every method the account has is tried"),
  });
  const enrolment = z.union([
    z.object({
      qrCode: z.string().describe('PNG data URI'),
      qrCodeSvg: z.string().describe('SVG data URI'),
      secret: z.string(),
      otpauthUrl: z.string(),
    }),
    z.object({ message: z.string().describe('Where the confirmation code went (email, SMS)') }),
  ]);
  const confirmation = z.object({ enabled: z.literal(true), methods, backupCodes: backupCodes.optional() });
  const status = z.object({ enabled: z.boolean(), methods });
  const confirmBody = z.object({ method: z.enum(METHODS), code, mfaToken: mfaToken.optional() });
  // The first factor of a setup-required login also completes that login.
  const confirmed = z.union([tokens.extend(confirmation.shape), confirmation]);
  const stepUpCode = code.optional().describe('A current code; left out within a fresh session (docs/step-up.md)');

  return {
    status: { response: status.extend({ backupCodesRemaining: z.number().int() }) },
    enable: json(enableBody, enrolment),
    /** The compatibility route: no body needed, the authenticator app. */
    enableAuthenticator: json(enableBody.partial({ method: true }), enrolment),
    confirm: json(confirmBody, confirmed),
    /** The compatibility route: the authenticator app unless `method` says otherwise. */
    confirmAuthenticator: json(confirmBody.partial({ method: true }), confirmed),
    /**
     * The compatibility verify: a pending login's code, or, with a signed-in bearer and no
     * pending login, the code that confirms the caller's pending enrolment.
     */
    verifyOrConfirm: json(verifyBody, z.union([issued, confirmation])),
    backupCodes: json(
      z.object({ code: stepUpCode, method: z.enum(FACTOR_METHODS).optional().describe('The method of `code`') }),
      z.object({ backupCodes })
    ),
    disable: json(
      z.object({ code: stepUpCode, method: z.enum(METHODS).optional().describe('The method to remove; left out, every method goes') }),
      status
    ),
    stepUp: json(
      z.object({ code, method: z.enum(FACTOR_METHODS).optional().describe('The method of `code`') }),
      z.object({ freshUntil: z.string().nullable().describe('The session is fresh until then (ISO 8601); null when stepUpWindow is 0') })
    ),
  };
};
