export { createTwoFactorClient, type TwoFactorClient, type TwoFactorClientOptions } from './client';
export { TwoFactorError, type TwoFactorErrorCode, type ServerErrorCode, type ClientErrorCode } from './errors';
export type { LoginResult, SignedIn, SecondFactorStep, SetupRequiredStep, SetupCompleted, VerifyInput } from './login';
export type { EnableProof } from './account';
export type { DeviceTokenStore, Session, JwtSource } from './session';
export { memoryDeviceTokenStore } from './session';
export type { FetchLike } from './http';
export type { WebAuthnCeremonies } from './webauthn';
export type {
  Method,
  FactorMethod,
  CodeMethod,
  User,
  IssuedTokens,
  TwoFaRequiredAnswer,
  TwoFaSetupRequiredAnswer,
  LoginAnswer,
  AuthenticatorEnrolment,
  CodeSentEnrolment,
  Enrolment,
  Confirmation,
  TwoFactorStatus,
  DisableResult,
  StepUpResult,
  RememberedDevice,
  Passkey,
  PasskeyAdded,
  StepUpProof,
  PublicKeyOptionsJSON,
  WebAuthnResponseJSON,
} from './types';
