import { errors, yup, validateYupSchema } from '@strapi/utils';
import { CODE_METHODS, FACTOR_METHODS, METHODS, PASSKEY, type CodeMethod, type FactorMethod, type Method } from '../vocabulary';

/**
 * Shapes of the request bodies. Only structure is checked here: whether a code is *right* (and
 * that a malformed code counts as a wrong one) is the verification service's business.
 */
const token = yup.string().max(2048, 'mfaToken is too long');
// Present, of any type: a number or an object is a wrong code, not a malformed request.
const code = yup.mixed().required('code is required');
const methodOf = (names: readonly string[]) => yup.string().oneOf([...names], `method must be one of ${names.join(', ')}`);
const method = methodOf(METHODS);
const factorMethod = methodOf(FACTOR_METHODS);

const object = (shape: Record<string, yup.AnySchema>) =>
  yup.object(shape).typeError('The request body must be a JSON object').noUnknown(false);

/** A validator whose answer names its method fields by the values `oneOf` let through. */
const validator =
  <T>(schema: yup.AnySchema) =>
  (body: unknown): Promise<T> =>
    validateYupSchema(schema)(body);

const verifyShape = validator<{ mfaToken?: string; code: unknown; method?: FactorMethod; trustDevice?: boolean }>(
  object({ mfaToken: token, code, method: factorMethod, trustDevice: yup.boolean().strict().typeError('trustDevice must be true or false') })
);
/**
 * A verify: `code`, or with `method: "passkey"` the assertion as `response` (an object, else the
 * request is malformed); either way the answer carries it as `code` for the verification.
 */
export const validateVerify = async (body: unknown) => {
  const input = body as Record<string, unknown> | null;
  if (input && typeof input === 'object' && !Array.isArray(input) && input.method === PASSKEY && input.response !== undefined) {
    const { response, ...rest } = input;
    const checked = await verifyShape({ ...rest, code: 'passkey' });
    if (typeof response !== 'object' || response === null || Array.isArray(response)) {
      throw new errors.ValidationError('response must be the object startAuthentication answered', { errors: [{ path: ['response'] }] });
    }
    return { ...checked, code: response as unknown };
  }
  return verifyShape(body);
};
// `code`: a current code of a method the account already has (step-up); needed once it has one.
export const validateEnable = validator<{ method: Method; phone?: string; mfaToken?: string; code?: unknown; codeMethod?: FactorMethod }>(
  object({
    method: method.required('method is required'),
    phone: yup.string().max(32, 'phone is too long'),
    mfaToken: token,
    code: yup.mixed(),
    codeMethod: factorMethod,
  })
);
export const validateConfirm = validator<{ method: Method; code: unknown; mfaToken?: string }>(
  object({ method: method.required('method is required'), code, mfaToken: token })
);
export const validateSend = validator<{ method: CodeMethod; mfaToken?: string }>(
  object({
    method: methodOf(CODE_METHODS).required('method is required'),
    mfaToken: token,
  })
);
export const validateCode = validator<{ code: unknown }>(object({ code }));
/** A step-up: a code (of `method`, else of any confirmed method), or none where a fresh session will do. */
export const validateStepUp = validator<{ code?: unknown; method?: FactorMethod }>(object({ code: yup.mixed(), method: factorMethod }));
/** `POST /step-up`: the code is what it is for. */
export const validateStepUpCode = validator<{ code: unknown; method?: FactorMethod }>(object({ code, method: factorMethod }));
export const validateDisable = validator<{ code?: unknown; method?: Method }>(object({ code: yup.mixed(), method }));
// `deviceToken` is passed on as it came: only a valid one counts, anything else is ignored.
export const validatePasswordLogin = validator<{ identifier?: string; email?: string; password: string; deviceToken?: unknown }>(
  object({
    identifier: yup.string().max(512, 'identifier is too long'),
    email: yup.string().max(512, 'email is too long'),
    password: yup.string().required('password is required').max(512, 'password is too long'),
  })
);

/**
 * A WebAuthn response as @simplewebauthn/browser gives it: an object; what is inside is the
 * ceremony's to judge (a malformed one is refused like a wrong one).
 */
const webauthnResponse = yup
  .object()
  .typeError('response must be the object startRegistration / startAuthentication answered')
  .required('response is required')
  .noUnknown(false);
const passkeyName = yup
  .string()
  .strict()
  .typeError('name must be a string')
  .test('not-blank', 'name must not be empty', (value) => value === undefined || value.trim().length > 0)
  .test('max', 'name is too long (64 characters at most)', (value) => value === undefined || value.trim().length <= 64);
/** `POST /passkeys/options`: a setup-required login's token, and the step-up when the account has a factor. */
export const validatePasskeyOptions = validator<{ mfaToken?: string; code?: unknown; codeMethod?: FactorMethod }>(
  object({ mfaToken: token, code: yup.mixed(), codeMethod: factorMethod })
);
export const validatePasskeyAdd = validator<{ response: Record<string, unknown>; name?: string; mfaToken?: string; code?: unknown; codeMethod?: FactorMethod }>(
  object({ response: webauthnResponse, name: passkeyName, mfaToken: token, code: yup.mixed(), codeMethod: factorMethod })
);
export const validatePasskeyChallenge = validator<{ mfaToken?: string }>(object({ mfaToken: token }));
export const validatePasskeyLogin = validator<{ response: Record<string, unknown> }>(object({ response: webauthnResponse }));
export const validatePasskeyRename = validator<{ name: string }>(object({ name: passkeyName.required('name is required') }));
export const validatePasskeyRemove = validator<{ code?: unknown; method?: FactorMethod }>(object({ code: yup.mixed(), method: factorMethod }));
