import settings from './settings';
import keys from './keys';
import throttle from './throttle';
import audit from './audit';
import backupCodes from './backup-codes';
import verification from './verification';
import stepUp from './step-up';
import factors from './factors';
import tokens from './tokens';
import login from './login';
import callers from './callers';
import keyRotation from './key-rotation';
import rateLimits from './rate-limits';
import emailDelivery from './email-delivery';
import sms from './sms';
import otp from './otp';
import adminSettings from './admin-settings';
import adminUsers from './admin-users';
import adminEvents from './admin-events';
import notifications from './notifications';
import cleanup from './cleanup';

const services = {
  settings,
  keys,
  throttle,
  audit,
  backupCodes,
  verification,
  stepUp,
  factors,
  tokens,
  login,
  callers,
  keyRotation,
  rateLimits,
  emailDelivery,
  sms,
  otp,
  adminSettings,
  adminUsers,
  adminEvents,
  notifications,
  cleanup,
};

export type Services = { [K in keyof typeof services]: ReturnType<(typeof services)[K]> };

export default services;
