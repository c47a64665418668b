import type { Zod } from './zod';
import { json } from './zod';
import { FACTOR_METHODS, METHODS } from '../../vocabulary';
import { loginSchemas } from './login';

/** Passkeys (docs/rest-api.md, "Passkeys"): WebAuthn options and responses as @simplewebauthn/browser uses them. */
export const passkeySchemas = (z: Zod) => {
  const { code, mfaToken, issued } = loginSchemas(z);
  const id = z.number().int();
  const passkey = z.object({
    id,
    name: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    transports: z.array(z.string()).describe('What the authenticator said it can be reached by (internal, hybrid, usb, …)'),
    backedUp: z.boolean().describe('Synced to a cloud account (a multi-device passkey)'),
    deviceType: z.string().nullable().describe('singleDevice or multiDevice'),
  });
  const added = passkey.extend({
    enabled: z.literal(true),
    methods: z.array(z.enum(METHODS)).describe("The account's confirmed methods"),
    backupCodes: z.array(z.string()).optional().describe('With the first factor of the account, shown this once'),
  });
  const response = z.looseObject({ id: z.string(), rawId: z.string(), type: z.literal('public-key'), response: z.looseObject({}) });
  const stepUp = {
    code: code.optional().describe('A current code of a method the account already has; needed once it has one, unless the session is fresh'),
    codeMethod: z.enum(FACTOR_METHODS).optional().describe('The method of `code`'),
  };
  const creationOptions = z.looseObject({ challenge: z.string(), rp: z.looseObject({}), user: z.looseObject({}) }).describe('PublicKeyCredentialCreationOptionsJSON: give it to startRegistration({ optionsJSON })');
  const requestOptions = z.looseObject({ challenge: z.string() }).describe('PublicKeyCredentialRequestOptionsJSON: give it to startAuthentication({ optionsJSON })');
  const status = z.object({ enabled: z.boolean(), methods: z.array(z.enum(METHODS)) });

  return {
    registrationOptions: json(z.object({ mfaToken: mfaToken.optional().describe('A setup-required pending login, instead of a JWT'), ...stepUp }), creationOptions),
    register: json(
      z.object({
        response: response.describe('RegistrationResponseJSON, as startRegistration answered it'),
        name: z.string().max(64).optional(),
        mfaToken: mfaToken.optional().describe('A setup-required pending login, instead of a JWT'),
        ...stepUp,
      }),
      // A setup-required login is completed by its first passkey.
      z.union([added, issued.extend(added.shape)])
    ),
    challenge: json(z.object({ mfaToken: mfaToken.optional() }), requestOptions),
    list: { response: z.array(passkey) },
    rename: { request: { params: { id: id.min(1) }, body: { 'application/json': z.object({ name: z.string().min(1).max(64) }) } }, response: passkey },
    /** Strapi parses no DELETE body by default: the step-up code comes in the X-Two-Factor-Code header. */
    remove: { request: { params: { id: id.min(1) } }, response: status },
    passwordlessOptions: { response: requestOptions },
    passwordlessLogin: json(z.object({ response: response.describe('AuthenticationResponseJSON, as startAuthentication answered it') }), issued),
  };
};
