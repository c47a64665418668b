/**
 * What the plugin's REST routes answer, as the client hands it on (docs/rest-api.md). The server
 * declares the same answers as zod schemas (server/src/routes/schemas); tests/unit/client-types.test.ts
 * holds the two together. The client ships without the server, so the words are spelled here again.
 */

/** The methods a user enrols. */
export type Method = 'totp' | 'email' | 'sms' | 'passkey';
/** What a second factor may be answered with: an enrolled method or a backup code. */
export type FactorMethod = Method | 'backup_code';
/** The methods whose codes are sent (emailed or texted). */
export type CodeMethod = 'email' | 'sms';

/** The users-permissions user, as its own login answers it (with the host app's extra attributes). */
export interface User {
  id: number;
  documentId: string;
  username: string;
  email: string;
  provider: string;
  confirmed: boolean;
  blocked: boolean;
  createdAt: string;
  updatedAt: string;
  publishedAt: string;
  [attribute: string]: unknown;
}

/** A users-permissions login answer (`POST /api/auth/local` for a user without 2FA, and `verify`). */
export interface IssuedTokens {
  jwt: string;
  /** Users & Permissions' refresh mode. */
  refreshToken?: string;
  user: User;
  /** A newly remembered device's token (`verify` with `trustDevice`). */
  deviceToken?: string;
  /** A user of a role that requires 2FA, within its grace period: the deadline to set up a factor. */
  twoFactorSetupRequiredBy?: string;
}

/** `POST /api/auth/local` for a user with a second factor. */
export interface TwoFaRequiredAnswer {
  message: '2FA required';
  twoFaRequired: true;
  mfaToken: string;
  methods: FactorMethod[];
  expiresAt: string;
}

/** `POST /api/auth/local` for a user of a role that requires 2FA and who has no factor yet. */
export interface TwoFaSetupRequiredAnswer {
  message: '2FA setup required';
  twoFaSetupRequired: true;
  mfaToken: string;
  methods: Method[];
  expiresAt: string;
}

export type LoginAnswer = IssuedTokens | TwoFaRequiredAnswer | TwoFaSetupRequiredAnswer;

/** `POST /api/two-factor/enable` for an authenticator app: scan the QR code, or type the secret. */
export interface AuthenticatorEnrolment {
  /** PNG data URI. */
  qrCode: string;
  /** SVG data URI. */
  qrCodeSvg: string;
  secret: string;
  otpauthUrl: string;
}

/** `POST /api/two-factor/enable` for email or SMS: a code was sent, confirm with it. */
export interface CodeSentEnrolment {
  /** Where the code went. */
  message: string;
}

export type Enrolment = AuthenticatorEnrolment | CodeSentEnrolment;

/** `POST /api/two-factor/confirm`. */
export interface Confirmation {
  enabled: true;
  methods: Method[];
  /** Ten one-time recovery codes, shown this once: when the account had none. */
  backupCodes?: string[];
}

/** `GET /api/two-factor/status`. */
export interface TwoFactorStatus {
  enabled: boolean;
  methods: Method[];
  backupCodesRemaining: number;
}

/** `POST /api/two-factor/disable`. */
export interface DisableResult {
  enabled: boolean;
  methods: Method[];
}

/** `POST /api/two-factor/step-up`. */
export interface StepUpResult {
  /** The session is fresh until then (ISO 8601); null when the site's stepUpWindow is 0. */
  freshUntil: string | null;
}

/** A remembered device (`GET /api/two-factor/devices`). */
export interface RememberedDevice {
  id: number;
  /** Browser and system, like "Chrome on macOS". */
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  /** The device token this client sent (cookie or header) is this device's. */
  current: boolean;
}

/** A passkey of the user (`GET /api/two-factor/passkeys`, `POST /api/two-factor/passkeys`). */
export interface Passkey {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt?: string | null;
  transports?: string[];
  backedUp?: boolean;
  deviceType?: string | null;
}

/** What `POST /api/two-factor/passkeys` answers: the passkey, the account's methods, and with its first factor the backup codes, once. */
export interface PasskeyAdded extends Passkey {
  enabled: true;
  methods: Method[];
  backupCodes?: string[];
}

/**
 * A current code that proves a recent second factor, for the sensitive changes (adding a method,
 * new backup codes, removing a method, forgetting every device). Left out within a fresh session.
 */
export interface StepUpProof {
  code?: string;
  /** The method of `code`; left out, every method the account has is tried. */
  method?: FactorMethod;
}

/** WebAuthn options and responses are passed through as JSON; @simplewebauthn/browser types them. */
export type PublicKeyOptionsJSON = Record<string, unknown>;
export type WebAuthnResponseJSON = Record<string, unknown>;
