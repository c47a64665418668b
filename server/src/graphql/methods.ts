import { twoFactorError } from '../utils/errors';
import type { FactorMethod, Method } from '../vocabulary';

/**
 * The method names of the GraphQL dialects. The Strapi-native operations use the plugin's own
 * (server/src/vocabulary.ts); the NYYU dialect says `app`, `email`, `phone`. The Craft dialect has no
 * method argument: it is always the authenticator app.
 */
const NYYU_NAMES: Record<FactorMethod, string> = { totp: 'app', email: 'email', sms: 'phone', passkey: 'passkey', backup_code: 'backup_code' };
const NAMES: Record<'native' | 'nyyu', (method: FactorMethod) => string> = {
  native: (method) => method,
  nyyu: (method) => NYYU_NAMES[method],
};

export const CRAFT_METHOD: Method = 'totp';

const from =
  (dialect: 'native' | 'nyyu') =>
  <M extends FactorMethod>(name: unknown, allowed: readonly M[], argument = 'method'): M => {
    const found = allowed.find((method) => NAMES[dialect](method) === name);
    if (found) return found;
    throw twoFactorError('INVALID_INPUT', `${argument} must be one of ${allowed.map((m) => NAMES[dialect](m)).join(', ')}`);
  };

/** The plugin's name for a dialect's method name, among `allowed`, or a clear error. */
export const fromNative = from('native');
export const fromNyyu = from('nyyu');
