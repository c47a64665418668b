import { twoFactorError } from '../utils/errors';
import type { Method } from '../services/settings';
import type { FactorMethod } from '../services/verification';

/**
 * The one table of method names across the GraphQL dialects. Inside the plugin, and in the
 * Strapi-native operations, they are `totp`, `email`, `sms`, `backup_code`; the NYYU dialect says
 * `app`, `email`, `phone`. The Craft dialect has no method argument: it is always the
 * authenticator app.
 */
const NAMES: Record<FactorMethod, { native: string; nyyu: string }> = {
  totp: { native: 'totp', nyyu: 'app' },
  email: { native: 'email', nyyu: 'email' },
  sms: { native: 'sms', nyyu: 'phone' },
  backup_code: { native: 'backup_code', nyyu: 'backup_code' },
};

export const CRAFT_METHOD: Method = 'totp';

const from =
  (dialect: 'native' | 'nyyu') =>
  <M extends FactorMethod>(name: unknown, allowed: readonly M[], argument = 'method'): M => {
    const found = allowed.find((method) => NAMES[method][dialect] === name);
    if (found) return found;
    throw twoFactorError('INVALID_INPUT', `${argument} must be one of ${allowed.map((m) => NAMES[m][dialect]).join(', ')}`);
  };

/** The plugin's name for a dialect's method name, among `allowed`, or a clear error. */
export const fromNative = from('native');
export const fromNyyu = from('nyyu');
