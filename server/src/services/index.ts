import settings from './settings';
import enforcement from './enforcement';
import keys from './keys';
import audit from './audit';
import rateLimits from './rate-limits';
import emailDelivery from './email-delivery';
import sms from './sms';
import tokens from './tokens';
import freshSessions from './fresh-sessions';
import notifications from './notifications';
import throttle from './throttle';
import backupCodes from './backup-codes';
import keyRotation from './key-rotation';
import cleanup from './cleanup';
import attempts from './attempts';
import passkeys from './passkeys';
import otp from './otp';
import verification from './verification';
import stepUp from './step-up';
import devices from './devices';
import factors from './factors';
import login from './login';
import passwordStep from './password-step';
import passkeyEnrolment from './passkey-enrolment';
import passwordless from './passwordless';
import callers from './callers';
import adminSettings from './admin-settings';
import adminUsers from './admin-users';
import adminEvents from './admin-events';

/**
 * The services, bottom up: each calls (getService) or imports only services listed before it,
 * so calls run one way and no two services lean on each other. tests/unit/service-order.test.ts
 * reads the sources and fails on a call upward.
 *
 * - stores and deliveries: settings, keys, audit log, counters, email, SMS, token issue;
 * - attempts: one counted attempt at a second factor (throttle, audit, lockout notice);
 * - otp, verification: sending and checking codes, which factor a code proves;
 * - stepUp, devices, factors: proving a factor again, remembered devices, enrolment and removal;
 * - passkeys: the WebAuthn ceremonies and stored credentials (a passkey answers like a code);
 * - login, passwordStep, callers: the pending login, the password step, who is asking;
 * - passkeyEnrolment, passwordless: adding and removing passkeys, signing in with one alone;
 * - the admin panel's views.
 */
export const SERVICE_ORDER = [
  'settings',
  'enforcement',
  'keys',
  'audit',
  'rateLimits',
  'emailDelivery',
  'sms',
  'freshSessions',
  'tokens',
  'notifications',
  'throttle',
  'backupCodes',
  'keyRotation',
  'cleanup',
  'attempts',
  'passkeys',
  'otp',
  'verification',
  'stepUp',
  'devices',
  'factors',
  'login',
  'passwordStep',
  'callers',
  'passkeyEnrolment',
  'passwordless',
  'adminSettings',
  'adminUsers',
  'adminEvents',
] as const;

const services = {
  settings,
  enforcement,
  keys,
  audit,
  rateLimits,
  emailDelivery,
  sms,
  freshSessions,
  tokens,
  notifications,
  throttle,
  backupCodes,
  keyRotation,
  cleanup,
  attempts,
  passkeys,
  otp,
  verification,
  stepUp,
  devices,
  factors,
  login,
  passwordStep,
  passkeyEnrolment,
  passwordless,
  callers,
  adminSettings,
  adminUsers,
  adminEvents,
} satisfies Record<(typeof SERVICE_ORDER)[number], unknown>;

export type Services = { [K in keyof typeof services]: ReturnType<(typeof services)[K]> };

export default services;
