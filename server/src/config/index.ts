/**
 * Deployment configuration (config/plugins.ts → 'two-factor'.config). Operator settings that
 * change at run time live in the plugin store instead (services/settings.ts).
 */
export interface SmsProviderConfig {
  provider: 'console' | 'webhook' | 'twilio' | 'custom';
  providerOptions?: Record<string, unknown>;
  /** For provider 'custom': the host app's own sender. */
  send?: (message: { to: string; body: string }) => Promise<void>;
}

export interface PluginConfig {
  /** Key for encrypting TOTP secrets at rest; required in production. */
  encryptionKey?: string;
  /** Old keys still accepted for reading while secrets are re-encrypted with the new one. */
  previousEncryptionKeys: string[];
  /** Lifetime of the pending login (mfa token), seconds. */
  pendingTokenTtl: number;
  /** Lifetime of a pending TOTP enrolment, seconds. */
  enrolmentTtl: number;
  cookie: { name: string; path: string; sameSite: 'lax' | 'strict' | 'none'; secure?: boolean };
  sms?: SmsProviderConfig;
  email: { from?: string; replyTo?: string };
}

const defaults: PluginConfig = {
  encryptionKey: undefined,
  previousEncryptionKeys: [],
  pendingTokenTtl: 300,
  enrolmentTtl: 600,
  cookie: { name: 'strapi_two_factor', path: '/api', sameSite: 'lax' },
  sms: undefined,
  email: {},
};

const positiveInt = (value: unknown) => Number.isInteger(value) && (value as number) > 0;

export default {
  default: defaults,
  validator(config: PluginConfig) {
    if (config.encryptionKey !== undefined && config.encryptionKey !== null) {
      if (typeof config.encryptionKey !== 'string' || config.encryptionKey.length < 16) {
        throw new Error('two-factor: encryptionKey must be a string of at least 16 characters');
      }
    }
    if (!Array.isArray(config.previousEncryptionKeys)) {
      throw new Error('two-factor: previousEncryptionKeys must be an array of strings');
    }
    if (!positiveInt(config.pendingTokenTtl) || config.pendingTokenTtl > 3600) {
      throw new Error('two-factor: pendingTokenTtl must be a whole number of seconds, at most 3600');
    }
    if (!positiveInt(config.enrolmentTtl) || config.enrolmentTtl > 86400) {
      throw new Error('two-factor: enrolmentTtl must be a whole number of seconds, at most 86400');
    }
    const sms = config.sms;
    if (sms) {
      if (!['console', 'webhook', 'twilio', 'custom'].includes(sms.provider)) {
        throw new Error('two-factor: sms.provider must be console, webhook, twilio or custom');
      }
      if (sms.provider === 'custom' && typeof sms.send !== 'function') {
        throw new Error('two-factor: sms.send must be a function for the custom provider');
      }
    }
  },
};
