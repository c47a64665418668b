/**
 * The one error the client throws. `code` is the plugin's stable error code (docs/errors.md), so a
 * UI tells errors apart without reading messages; `retryAfter` says when a locked or limited
 * request may be tried again.
 */

/** The codes of docs/errors.md (the GraphQL dialects' and the admin API's among them, for completeness). */
export type ServerErrorCode =
  | 'INVALID_CODE'
  | 'LOCKED'
  | 'PENDING_EXPIRED'
  | 'AUTH_REQUIRED'
  | 'STEP_UP_REQUIRED'
  | 'NOT_ENABLED'
  | 'METHOD_NOT_ENABLED'
  | 'METHOD_UNAVAILABLE'
  | 'ALREADY_ENABLED'
  | 'NO_PENDING_ENROLMENT'
  | 'EMAIL_NOT_VERIFIED'
  | 'INVALID_PHONE'
  | 'PHONE_REQUIRED'
  | 'RESEND_TOO_SOON'
  | 'SEND_LIMIT'
  | 'DELIVERY_FAILED'
  | 'DELIVERY_UNAVAILABLE'
  | 'DEVICE_NOT_FOUND'
  | 'PASSKEY_INVALID'
  | 'PASSKEY_COUNTER_REGRESSION'
  | 'PASSKEY_LIMIT'
  | 'PASSKEY_NOT_FOUND'
  | 'PASSWORDLESS_OFF'
  | 'WRONG_ACCOUNT'
  | 'WRONG_PASSWORD'
  | 'PASSWORD_MISMATCH'
  | 'INVALID_SETTINGS'
  | 'NOT_CONTENT'
  | 'INVALID_INPUT'
  | 'REFUSED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED';

/**
 * Codes of the client's own: the request never got an answer (`NETWORK_ERROR`), the answer was
 * not the plugin's (`BAD_RESPONSE`: not JSON, or a server error), a passkey helper without
 * @simplewebauthn/browser (`PASSKEYS_UNAVAILABLE`), or the browser's passkey ceremony failed or
 * was cancelled (`PASSKEY_CANCELLED`, the browser's error as `cause`).
 */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'PASSKEYS_UNAVAILABLE' | 'PASSKEY_CANCELLED';

export type TwoFactorErrorCode = ServerErrorCode | ClientErrorCode;

export interface TwoFactorErrorInit {
  code: TwoFactorErrorCode;
  /** The HTTP status; 0 when there was no answer. */
  status: number;
  message: string;
  /** Seconds until a locked or rate-limited request may be tried again. */
  retryAfter?: number;
  /** The answer's `error.details` (for INVALID_INPUT, `errors` lists the fields). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class TwoFactorError extends Error {
  readonly code: TwoFactorErrorCode;
  readonly status: number;
  readonly retryAfter?: number;
  readonly details: Record<string, unknown>;

  constructor(init: TwoFactorErrorInit) {
    super(init.message);
    this.name = 'TwoFactorError';
    this.code = init.code;
    this.status = init.status;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    this.details = init.details ?? {};
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
  }

  /** Whether `error` is a TwoFactorError (of one of `codes`, when given). Works across bundles. */
  static is(error: unknown, ...codes: TwoFactorErrorCode[]): error is TwoFactorError {
    const candidate = error as { name?: unknown; code?: unknown } | null;
    if (!(error instanceof TwoFactorError) && candidate?.name !== 'TwoFactorError') return false;
    return codes.length === 0 || codes.includes(candidate!.code as TwoFactorErrorCode);
  }
}

/** A Strapi error name's code, for an answer that carries none (users-permissions' own routes). */
const CODE_OF_NAME: Record<string, ServerErrorCode> = {
  ValidationError: 'INVALID_INPUT',
  UnauthorizedError: 'UNAUTHORIZED',
  ForbiddenError: 'FORBIDDEN',
  NotFoundError: 'NOT_FOUND',
  RateLimitError: 'RATE_LIMITED',
};
const CODE_OF_STATUS: Record<number, ServerErrorCode> = {
  400: 'REFUSED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'RATE_LIMITED',
};

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export const parseRetryAfter = (header: string | null, now = Date.now()): number | undefined => {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The error of a non-2xx answer: Strapi's `{ data: null, error: { status, name, message, details } }`.
 * The code is `details.code`, else the one the plugin gives a passed-on Strapi error of that kind.
 * `retryAfter` comes from the header, else from `details.retryAfter` (a browser on another origin
 * reads only the headers CORS exposes).
 */
export const errorFromAnswer = (status: number, body: unknown, retryAfterHeader: string | null): TwoFactorError => {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const details = error && isRecord(error.details) ? error.details : {};
  const named = typeof error?.name === 'string' ? CODE_OF_NAME[error.name] : undefined;
  const code = (typeof details.code === 'string' ? details.code : undefined) ?? named ?? CODE_OF_STATUS[status];
  const fromDetails = typeof details.retryAfter === 'number' && details.retryAfter >= 0 ? Math.ceil(details.retryAfter) : undefined;
  return new TwoFactorError({
    code: (code ?? 'BAD_RESPONSE') as TwoFactorErrorCode,
    status,
    message: typeof error?.message === 'string' && error.message ? error.message : `The server answered ${status}`,
    retryAfter: parseRetryAfter(retryAfterHeader) ?? fromDetails,
    details,
  });
};
