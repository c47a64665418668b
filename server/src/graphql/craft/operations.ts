import type { Core } from '@strapi/strapi';
import { getService } from '../../utils/plugin';
import { twoFactorError } from '../../utils/errors';
import type { RequestMeta } from '../../utils/request-meta';
import type { IssuedLogin } from '../../services/tokens';
import type { StepUpProof } from '../../services/step-up';
import type { TotpEnrolment, UserRef } from '../../services/factors';

/** A JWT's `exp` (unix seconds), unverified: only to report when a token we issued expires. */
const expiryOf = (token: string | undefined): number | null => {
  if (!token) return null;
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : null;
  } catch {
    return null;
  }
};

/** Full-name fields host apps commonly add to the user; the username when there are none. */
const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : '');
export const fullName = (user: any): string =>
  text(user.fullName) ||
  text(user.name) ||
  [user.firstname ?? user.firstName, user.lastname ?? user.lastName].map(text).filter(Boolean).join(' ') ||
  String(user.username ?? '');

/** A login of the Craft dialect: every field is null and requiresTwoFactor true while a second factor is owed. */
export const NEEDS_SECOND_FACTOR = {
  jwt: null,
  jwtExpiresAt: null,
  refreshToken: null,
  refreshTokenExpiresAt: null,
  user: null,
  requiresTwoFactor: true,
};

/**
 * A completed login in Craft's shape, times in unix seconds. `refreshFrom`: where the refresh
 * token's expiry is read. A login that passed a second factor reports it whether the token is in
 * the body or in the httpOnly cookie; a password-only login reports it only from the body, as
 * it always has.
 */
export const craftLogin = (issued: IssuedLogin, refreshFrom: 'body' | 'body-or-cookie', backupCodes?: string[]) => ({
  jwt: issued.body.jwt,
  jwtExpiresAt: expiryOf(issued.body.jwt),
  refreshToken: issued.body.refreshToken ?? null,
  refreshTokenExpiresAt: expiryOf(issued.body.refreshToken ?? (refreshFrom === 'body-or-cookie' ? issued.cookie?.value : undefined)),
  user: issued.body.user,
  requiresTwoFactor: false,
  backupCodes: backupCodes ?? null,
});

/**
 * What only the Craft dialect does, from the primitives the shared services offer: its QR code
 * and secret come in two calls, so they show the enrolment already pending; its disable asks for
 * the password again.
 */
export const craftOperations = (strapi: Core.Strapi) => {
  const factors = () => getService(strapi, 'factors');

  /** The pending TOTP enrolment's QR image and secret, without making a new one; null when none is pending. */
  const pendingTotp = async (user: UserRef): Promise<TotpEnrolment | null> => {
    const secret = await factors().pendingTotpSecret(user.id);
    return secret ? factors().totpView(user, secret) : null;
  };

  return {
    /**
     * The pending TOTP enrolment if there is one, else a new one. An account that already has a
     * factor proves it first: a pending secret is shown again only to whoever could start it.
     */
    async currentTotpEnrolment(user: UserRef, proof: StepUpProof, meta?: RequestMeta): Promise<TotpEnrolment> {
      if (await getService(strapi, 'stepUp').needed(user.id)) return factors().beginTotp(user, proof, meta);
      return (await pendingTotp(user)) ?? factors().beginTotp(user, proof, meta);
    },

    /** The signed-in user's password, given twice before 2FA is turned off. */
    async confirmPassword(userId: number, password: string, confirmPassword: string) {
      if (password !== confirmPassword) throw twoFactorError('PASSWORD_MISMATCH');
      if (!(await getService(strapi, 'passwordStep').matches(userId, password))) throw twoFactorError('WRONG_PASSWORD');
    },
  };
};
