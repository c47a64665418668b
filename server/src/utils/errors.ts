import { errors } from '@strapi/utils';

/**
 * An email or SMS could not be delivered (SMTP server or SMS provider down or refusing): the
 * caller gets 503 with this message (REST: the error-answers middleware; Strapi has no 503
 * class of its own). Never carries the code or the provider's raw answer.
 */
export class ServiceUnavailableError extends errors.ApplicationError<'ServiceUnavailableError', string, Record<string, unknown>> {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * The plugin's error codes, one table: each answer's status and, where it always says the same,
 * its English message. A client tells errors apart by `details.code` (REST `error.details.code`,
 * GraphQL `extensions.details.code`), never by the message. docs/errors.md lists them; a test
 * holds the two together.
 */
export const ERROR_CODES = {
  // A password step answered with a pending login: GraphQL's native mutations fail with these
  // (REST answers 200 with `twoFaRequired` / `twoFaSetupRequired`).
  TWO_FACTOR_REQUIRED: { status: 200, message: '2FA required' },
  TWO_FACTOR_SETUP_REQUIRED: { status: 200, message: '2FA setup required' },
  // A second factor
  INVALID_CODE: { status: 400, message: 'Invalid two-factor code' },
  LOCKED: { status: 429, message: 'Too many failed attempts. Try again later.' },
  PENDING_EXPIRED: { status: 401, message: 'Invalid or expired two-factor session' },
  AUTH_REQUIRED: { status: 401, message: 'Authentication required' },
  STEP_UP_REQUIRED: {
    status: 403,
    message: 'A current two-factor code is required for this change: give `code` from a method you already use',
  },
  // Enrolment and removal
  NOT_ENABLED: { status: 400, message: 'Two-factor authentication is not enabled' },
  METHOD_NOT_ENABLED: { status: 400 },
  METHOD_UNAVAILABLE: { status: 400 },
  ALREADY_ENABLED: { status: 400 },
  NO_PENDING_ENROLMENT: { status: 400 },
  EMAIL_NOT_VERIFIED: { status: 400, message: 'Not verified' },
  INVALID_PHONE: { status: 400, message: 'phone must be an E.164 number, for example +14155551234' },
  PHONE_REQUIRED: { status: 400, message: 'User must have phone number on account: give phone (E.164, for example +14155551234)' },
  // Emailed and texted codes
  RESEND_TOO_SOON: { status: 429, message: 'Please wait before requesting another code' },
  SEND_LIMIT: { status: 429, message: 'Too many codes requested. Try again later.' },
  DELIVERY_FAILED: { status: 503 },
  DELIVERY_UNAVAILABLE: { status: 503 },
  // Remembered devices
  DEVICE_NOT_FOUND: { status: 404, message: 'No such remembered device' },
  // Passkeys
  PASSKEY_INVALID: { status: 400, message: 'The passkey response was not accepted' },
  PASSKEY_COUNTER_REGRESSION: {
    status: 400,
    message: 'The passkey was refused: its signature counter did not increase (a cloned authenticator?)',
  },
  PASSKEY_LIMIT: { status: 400 },
  PASSKEY_NOT_FOUND: { status: 404, message: 'No such passkey' },
  PASSWORDLESS_OFF: { status: 403, message: 'Signing in with a passkey alone is not enabled on this site' },
  // Dialects
  WRONG_ACCOUNT: { status: 403, message: 'The email is not the signed-in account' },
  WRONG_PASSWORD: { status: 400, message: 'The password is not correct' },
  PASSWORD_MISMATCH: { status: 400, message: 'Passwords do not match' },
  // Admin API and the content manager
  INVALID_SETTINGS: { status: 400 },
  NOT_CONTENT: {
    status: 403,
    message: 'Two-factor records are not content: use the Two-factor authentication settings pages',
  },
  // Malformed input
  INVALID_INPUT: { status: 400 },
  // What an answer the plugin passes on from Strapi or users-permissions carries (their own
  // messages: a login's wrong password, a blocked account, the request limiter), by status.
  REFUSED: { status: 400 },
  UNAUTHORIZED: { status: 401 },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  RATE_LIMITED: { status: 429 },
} as const satisfies Record<string, { status: number; message?: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
type Table = typeof ERROR_CODES;
/** Codes whose message never varies: the message may be left out. */
type FixedCode = { [K in ErrorCode]: Table[K] extends { message: string } ? K : never }[ErrorCode];

const isErrorCode = (value: unknown): value is ErrorCode => typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);

const classOf = (status: number) => {
  switch (status) {
    case 401:
      return errors.UnauthorizedError;
    case 403:
      return errors.ForbiddenError;
    case 404:
      return errors.NotFoundError;
    case 429:
      return errors.RateLimitError;
    case 503:
      return ServiceUnavailableError;
    default:
      return errors.ValidationError;
  }
};

/**
 * The Strapi error (its class gives the HTTP status) for a code, with the code in `details`;
 * `extra` adds to them (`retryAfter`, a list of problems).
 */
export function twoFactorError(code: FixedCode, message?: string, extra?: Record<string, unknown>): Error;
export function twoFactorError(code: ErrorCode, message: string, extra?: Record<string, unknown>): Error;
export function twoFactorError(code: ErrorCode, message?: string, extra: Record<string, unknown> = {}): Error {
  const entry: { status: number; message?: string } = ERROR_CODES[code];
  const ErrorClass = classOf(entry.status);
  return new ErrorClass(message ?? entry.message ?? code, { ...extra, code });
}

/** The plugin code an error carries, if any. */
export const codeOf = (error: unknown): ErrorCode | undefined => {
  const code = (error as { details?: { code?: unknown } } | null)?.details?.code;
  return isErrorCode(code) ? code : undefined;
};

/**
 * Gives a Strapi error without a plugin code (a body that failed validation, an answer of
 * users-permissions' own) the code of its kind, so every error answer carries one. Other errors
 * (a bug: Strapi answers 500 and logs it) are left as they are.
 */
export const withCode = (error: unknown): unknown => {
  if (!(error instanceof errors.ApplicationError || error instanceof errors.HttpError) || codeOf(error)) return error;
  const code: ErrorCode =
    error instanceof errors.ValidationError
      ? 'INVALID_INPUT'
      : error instanceof errors.UnauthorizedError
        ? 'UNAUTHORIZED'
        : error instanceof errors.ForbiddenError
          ? 'FORBIDDEN'
          : error instanceof errors.NotFoundError
            ? 'NOT_FOUND'
            : error instanceof errors.RateLimitError
              ? 'RATE_LIMITED'
              : 'REFUSED';
  const details = (error as { details?: unknown }).details;
  (error as { details: unknown }).details = { ...(details && typeof details === 'object' ? details : {}), code };
  return error;
};
