import { TwoFactorError } from './errors';
import type { Send } from './http';
import type { SessionState } from './session';
import type {
  AuthenticatorEnrolment,
  CodeMethod,
  CodeSentEnrolment,
  Confirmation,
  DisableResult,
  FactorMethod,
  Method,
  RememberedDevice,
  StepUpProof,
  StepUpResult,
  TwoFactorStatus,
} from './types';

/** A step-up proof as the body of a sensitive change: only the fields given. */
export const proofBody = (proof: StepUpProof = {}) => ({
  ...(proof.code !== undefined ? { code: proof.code } : {}),
  ...(proof.method !== undefined ? { method: proof.method } : {}),
});

/**
 * A step-up proof as headers: Strapi parses no DELETE body, so the DELETE routes read the code
 * from `X-Two-Factor-Code` (and its method from `X-Two-Factor-Method`).
 */
export const proofHeaders = (proof: StepUpProof = {}): Record<string, string> => ({
  ...(proof.code !== undefined ? { 'X-Two-Factor-Code': proof.code } : {}),
  ...(proof.method !== undefined ? { 'X-Two-Factor-Method': proof.method } : {}),
});

/** The JWT of the signed-in user, or AUTH_REQUIRED before a request that cannot succeed without one. */
export const requireJwt = async (session: SessionState): Promise<string> => {
  const jwt = await session.jwt();
  if (!jwt) throw new TwoFactorError({ code: 'AUTH_REQUIRED', status: 401, message: 'Sign in first: this needs a signed-in user' });
  return jwt;
};

export interface EnableProof {
  /** A current code of a method the account already has: needed to add a method outside a fresh session. */
  code?: string;
  /** The method of `code`. */
  codeMethod?: FactorMethod;
}

/** The signed-in user's own two-factor settings. */
export const accountApi = (send: Send, session: SessionState) => {
  const asUser = async <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
    send<T>({ method, path, body, bearer: await requireJwt(session) });

  function enable(input: { method: 'totp' } & EnableProof): Promise<AuthenticatorEnrolment>;
  function enable(input: ({ method: 'email' } | { method: 'sms'; phone?: string }) & EnableProof): Promise<CodeSentEnrolment>;
  function enable(input: { method: Method; phone?: string } & EnableProof): Promise<AuthenticatorEnrolment | CodeSentEnrolment>;
  function enable(input: { method: Method; phone?: string } & EnableProof) {
    return asUser<AuthenticatorEnrolment | CodeSentEnrolment>('POST', '/two-factor/enable', input);
  }

  return {
    /** `GET /status`: whether 2FA is on, the confirmed methods, and how many backup codes are left. */
    status: () => asUser<TwoFactorStatus>('GET', '/two-factor/status'),
    /** `POST /enable`: starts enrolling a method (pending until `confirm`). */
    enable,
    /** `POST /confirm`: the enrolment's current code turns the method on; the first one answers backup codes. */
    confirm: (input: { method: Exclude<Method, 'passkey'>; code: string }) => asUser<Confirmation>('POST', '/two-factor/confirm', input),
    /** `POST /disable`: removes `method`, or every method without it. Needs a fresh session or a code. */
    disable: (input: StepUpProof & { method?: Method } = {}) => {
      // `method` here is the one to remove; the code's method is tried among the account's.
      const body = { ...(input.code !== undefined ? { code: input.code } : {}), ...(input.method ? { method: input.method } : {}) };
      return asUser<DisableResult>('POST', '/two-factor/disable', body);
    },
    /** `POST /step-up`: makes the session fresh with a current code. */
    stepUp: (input: { code: string; method?: FactorMethod }) => asUser<StepUpResult>('POST', '/two-factor/step-up', proofBody(input)),
    /** `POST /send` with the JWT: emails or texts a code for a step-up or a sensitive change. */
    sendCode: (method: CodeMethod) => asUser<{ message: string }>('POST', '/two-factor/send', { method }),
    backupCodes: {
      /** `POST /backup-codes`: ten new codes, replacing the old ones. Needs a fresh session or a code. */
      regenerate: (proof: StepUpProof = {}) => asUser<{ backupCodes: string[] }>('POST', '/two-factor/backup-codes', proofBody(proof)),
    },
  };
};

/**
 * The signed-in user's remembered devices. `ownToken`: the device token to name as this device's
 * in the list (`X-Two-Factor-Device`), for a client without the cookie.
 */
export const devicesApi = (send: Send, session: SessionState, ownToken: () => Promise<string | null | undefined>) => ({
  list: async () => {
    const token = await ownToken();
    const headers = token ? { 'X-Two-Factor-Device': token } : undefined;
    return send<RememberedDevice[]>({ method: 'GET', path: '/two-factor/devices', bearer: await requireJwt(session), headers });
  },
  /** Forgets one device; DEVICE_NOT_FOUND for an id that is not the user's. */
  revoke: async (id: number) =>
    send<{ id: number }>({ method: 'DELETE', path: `/two-factor/devices/${encodeURIComponent(String(id))}`, bearer: await requireJwt(session) }),
  /** Forgets every device. Needs a fresh session or a code. */
  revokeAll: async (proof: StepUpProof = {}) =>
    send<{ revoked: number }>({ method: 'DELETE', path: '/two-factor/devices', bearer: await requireJwt(session), headers: proofHeaders(proof) }),
});
