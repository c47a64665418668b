import type { Send } from './http';
import type { DeviceTokenStore, SessionState } from './session';
import type {
  AuthenticatorEnrolment,
  CodeMethod,
  CodeSentEnrolment,
  Confirmation,
  FactorMethod,
  IssuedTokens,
  LoginAnswer,
  Method,
  Passkey,
  PublicKeyOptionsJSON,
  TwoFaRequiredAnswer,
  TwoFaSetupRequiredAnswer,
  User,
} from './types';
import { ceremony, type WebAuthnCeremonies } from './webauthn';

/** The login is complete: the client now sends this JWT. */
export interface SignedIn {
  status: 'signed-in';
  jwt: string;
  user: User;
  refreshToken?: string;
  /** This login remembered the device (`trustDevice`); the client keeps the token for the next logins. */
  deviceToken?: string;
  /** The user's role requires 2FA and its grace period runs until then: prompt them to set it up. */
  twoFactorSetupRequiredBy?: string;
}

export interface VerifyInput {
  code: string;
  /** The method of `code`; left out, the account's methods are tried, then backup codes. */
  method?: FactorMethod;
  /** Remember this device (while the site allows it): its next logins skip the second factor. */
  trustDevice?: boolean;
}

/** The password was right; a second factor is needed. */
export interface SecondFactorStep {
  status: 'second-factor';
  /** The methods the account can answer with (`backup_code` among them once it has codes). */
  methods: FactorMethod[];
  /** When this pending login expires (ISO 8601): then `verify` throws PENDING_EXPIRED. */
  expiresAt: string;
  /** The pending login; the client sends it (a browser also has it as an httpOnly cookie). */
  mfaToken: string;
  /** Emails or texts a code for this login. */
  send(method: CodeMethod): Promise<{ message: string }>;
  /** Answers with a code: TOTP, emailed, texted or a backup code. */
  verify(input: VerifyInput): Promise<SignedIn>;
  /** Answers with a passkey of the account (browser; needs @simplewebauthn/browser). */
  passkey(options?: { trustDevice?: boolean }): Promise<SignedIn>;
}

/** What a setup-required login's first factor completes with: the login, and the new factor. */
export type SetupCompleted = SignedIn & Confirmation;

/** The user's role requires 2FA and they have none yet: enrol a first factor to complete the login. */
export interface SetupRequiredStep {
  status: 'setup-required';
  /** The methods the user may enrol. */
  methods: Method[];
  expiresAt: string;
  mfaToken: string;
  /** Starts enrolling: an authenticator app answers its QR code and secret; email and SMS send a code. */
  enable(input: { method: 'totp' }): Promise<AuthenticatorEnrolment>;
  enable(input: { method: 'email' } | { method: 'sms'; phone?: string }): Promise<CodeSentEnrolment>;
  /** Confirms the enrolment with a current code: the factor is on and the login complete. */
  confirm(input: { method: Exclude<Method, 'passkey'>; code: string }): Promise<SetupCompleted>;
  /** Registers a passkey as the first factor, which completes the login. */
  registerPasskey(options?: { name?: string }): Promise<SignedIn & { passkey: Passkey }>;
}

export type LoginResult = SignedIn | SecondFactorStep | SetupRequiredStep;

export interface LoginContext {
  send: Send;
  session: SessionState;
  devices: DeviceTokenStore;
  webauthn: () => Promise<WebAuthnCeremonies>;
}

const isPending = (answer: LoginAnswer): answer is TwoFaRequiredAnswer => (answer as TwoFaRequiredAnswer).twoFaRequired === true;
const isSetup = (answer: LoginAnswer): answer is TwoFaSetupRequiredAnswer =>
  (answer as TwoFaSetupRequiredAnswer).twoFaSetupRequired === true;

/** Issued tokens become the client's session; a remembered device's token is kept for the next logins. */
export const signedIn = async (context: LoginContext, issued: IssuedTokens): Promise<SignedIn> => {
  context.session.fromIssued(issued);
  if (issued.deviceToken) await context.devices.set(issued.deviceToken);
  const { jwt, user, refreshToken, deviceToken, twoFactorSetupRequiredBy } = issued;
  return {
    status: 'signed-in',
    jwt,
    user,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(deviceToken !== undefined ? { deviceToken } : {}),
    ...(twoFactorSetupRequiredBy !== undefined ? { twoFactorSetupRequiredBy } : {}),
  };
};

const secondFactor = (context: LoginContext, answer: TwoFaRequiredAnswer): SecondFactorStep => {
  const { send } = context;
  const { mfaToken } = answer;
  return {
    status: 'second-factor',
    methods: answer.methods,
    expiresAt: answer.expiresAt,
    mfaToken,
    send: (method) => send<{ message: string }>({ method: 'POST', path: '/two-factor/send', body: { mfaToken, method } }),
    async verify({ code, method, trustDevice }) {
      const body = { mfaToken, code, ...(method ? { method } : {}), ...(trustDevice ? { trustDevice: true } : {}) };
      return signedIn(context, await send<IssuedTokens>({ method: 'POST', path: '/two-factor/verify', body }));
    },
    async passkey(options = {}) {
      const { startAuthentication } = await context.webauthn();
      const optionsJSON = await send<PublicKeyOptionsJSON>({ method: 'POST', path: '/two-factor/passkeys/challenge', body: { mfaToken } });
      const response = await ceremony(startAuthentication, optionsJSON);
      const body = { mfaToken, method: 'passkey', response, ...(options.trustDevice ? { trustDevice: true } : {}) };
      return signedIn(context, await send<IssuedTokens>({ method: 'POST', path: '/two-factor/verify', body }));
    },
  };
};

const setupRequired = (context: LoginContext, answer: TwoFaSetupRequiredAnswer): SetupRequiredStep => {
  const { send } = context;
  const { mfaToken } = answer;
  return {
    status: 'setup-required',
    methods: answer.methods,
    expiresAt: answer.expiresAt,
    mfaToken,
    enable: ((input: { method: Method; phone?: string }) =>
      send({ method: 'POST', path: '/two-factor/enable', body: { ...input, mfaToken } })) as SetupRequiredStep['enable'],
    async confirm({ method, code }) {
      const answer = await send<IssuedTokens & Confirmation>({ method: 'POST', path: '/two-factor/confirm', body: { method, code, mfaToken } });
      const { enabled, methods, backupCodes } = answer;
      return { ...(await signedIn(context, answer)), enabled, methods, ...(backupCodes ? { backupCodes } : {}) };
    },
    async registerPasskey(options = {}) {
      const { startRegistration } = await context.webauthn();
      const optionsJSON = await send<PublicKeyOptionsJSON>({ method: 'POST', path: '/two-factor/passkeys/options', body: { mfaToken } });
      const response = await ceremony(startRegistration, optionsJSON);
      const body = { response, mfaToken, ...(options.name ? { name: options.name } : {}) };
      const answer = await send<IssuedTokens & Passkey>({ method: 'POST', path: '/two-factor/passkeys', body });
      const { id, name, createdAt } = answer;
      return { ...(await signedIn(context, answer)), passkey: { id, name, createdAt } };
    },
  };
};

/** A login answer (password or passkey sign-in) as the client's result. */
export const loginResult = async (context: LoginContext, answer: LoginAnswer): Promise<LoginResult> => {
  if (isPending(answer)) return secondFactor(context, answer);
  if (isSetup(answer)) return setupRequired(context, answer);
  return signedIn(context, answer);
};
