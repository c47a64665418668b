import { yup, validateYupSchema } from '@strapi/utils';
import { CODE_METHODS, FACTOR_METHODS, METHODS, type CodeMethod, type FactorMethod, type Method } from '../vocabulary';

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

export const validateVerify = validator<{ mfaToken?: string; code: unknown; method?: FactorMethod; trustDevice?: boolean }>(
  object({ mfaToken: token, code, method: factorMethod, trustDevice: yup.boolean().strict().typeError('trustDevice must be true or false') })
);
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
