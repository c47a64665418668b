import type { Zod } from './zod';
import { json } from './zod';
import { METHODS } from '../../services/settings';
import { FACTOR_METHODS } from '../../services/verification';
import { loginSchemas } from './login';

/** A user's own two-factor settings (docs/rest-api.md, "Managing one's own 2FA"). */
export const manageSchemas = (z: Zod) => {
  const { code, mfaToken, issued } = loginSchemas(z);
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

  return {
    status: { response: status.extend({ backupCodesRemaining: z.number().int() }) },
    enable: json(enableBody, enrolment),
    /** The compatibility route: no body needed, the authenticator app. */
    enableAuthenticator: json(enableBody.partial({ method: true }), enrolment),
    confirm: json(
      z.object({ method: z.enum(METHODS), code, mfaToken: mfaToken.optional() }),
      // The first factor of a setup-required login also completes that login.
      z.union([issued.extend(confirmation.shape), confirmation])
    ),
    backupCodes: json(z.object({ code }), z.object({ backupCodes })),
    disable: json(
      z.object({ code, method: z.enum(METHODS).optional().describe('Left out, every method goes') }),
      status
    ),
  };
};
