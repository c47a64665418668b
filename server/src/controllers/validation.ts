import { yup, validateYupSchema } from '@strapi/utils';
import { METHODS } from '../services/settings';
import { FACTOR_METHODS } from '../services/verification';

/**
 * Shapes of the request bodies. Only structure is checked here: whether a code is *right* (and a
 * malformed code counts as a wrong one, docs/security.md T5) is the verification service's business.
 */
const token = yup.string().max(2048, 'mfaToken is too long');
// Present, of any type: a number or an object is a wrong code, not a malformed request.
const code = yup.mixed().required('code is required');
const method = yup
  .string()
  .oneOf(METHODS as string[], `method must be one of ${METHODS.join(', ')}`);
const factorMethod = yup
  .string()
  .oneOf(FACTOR_METHODS as string[], `method must be one of ${FACTOR_METHODS.join(', ')}`);

const object = (shape: Record<string, yup.AnySchema>) =>
  yup.object(shape).typeError('The request body must be a JSON object').noUnknown(false);

export const validateVerify = validateYupSchema(object({ mfaToken: token, code, method: factorMethod }));
// `code`: a current code of a method the account already has (step-up); needed once it has one.
export const validateEnable = validateYupSchema(
  object({
    method: method.required('method is required'),
    phone: yup.string().max(32, 'phone is too long'),
    mfaToken: token,
    code: yup.mixed(),
    codeMethod: factorMethod,
  })
);
export const validateConfirm = validateYupSchema(
  object({ method: method.required('method is required'), code, mfaToken: token })
);
export const validateSend = validateYupSchema(
  object({
    method: yup.string().required('method is required').oneOf(['email', 'sms'], 'method must be one of email, sms'),
    mfaToken: token,
  })
);
export const validateCode = validateYupSchema(object({ code }));
export const validateDisable = validateYupSchema(object({ code, method }));
export const validatePasswordLogin = validateYupSchema(
  object({
    identifier: yup.string().max(512, 'identifier is too long'),
    email: yup.string().max(512, 'email is too long'),
    password: yup.string().required('password is required').max(512, 'password is too long'),
  })
);
