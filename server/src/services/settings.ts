import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../utils/plugin';
import { PASSKEYS_CONFIG_NEEDED, passkeysConfigured, type PluginConfig } from '../config';
import { twoFactorError } from '../utils/errors';
import { METHODS, PASSKEY, type Method } from '../vocabulary';

/** Operator settings, kept in the plugin store and edited in the admin panel. */
export interface Settings {
  enabled: boolean;
  methods: Record<Method, boolean>;
  /** users-permissions role types whose users must use a second factor. */
  enforcedRoles: string[];
  issuer: string;
  /** Lifetime of an emailed or texted code, seconds (at most 10 minutes). */
  codeLifetime: number;
  /** Failures before the account's second factor locks (R1). */
  maxFailures: number;
  /** How long the lock lasts, seconds. */
  lockDuration: number;
  /** Wrong guesses one emailed or texted code survives (O5). */
  codeAttempts: number;
  backupCodeCount: number;
  /** TOTP steps accepted either side of now (T4). */
  totpWindow: number;
  /**
   * Days a user of a required role may still sign in without a factor, counted from when the
   * role was required or the user joined it, whichever is later. 0: set up at the next login.
   */
  enforcementGraceDays: number;
  /** Remembered devices: a verify may skip the second factor of later logins from that device for `days`. */
  trustedDevices: { enabled: boolean; days: number };
  /** `passwordless`: a passkey with user verification signs in on its own (docs/security.md, Passkeys). */
  passkeys: { passwordless: boolean };
}

/** Days a remembered device may stay trusted. */
export const TRUSTED_DAYS = [1, 90] as const;

export const LIMITS = {
  codeLifetime: [60, 600],
  maxFailures: [3, 100],
  lockDuration: [60, 86400],
  codeAttempts: [1, 10],
  backupCodeCount: [5, 20],
  totpWindow: [0, 2],
  enforcementGraceDays: [0, 365],
} as const;

const CACHE_MS = 1000;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'settings' });
  const sinceStore = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'enforced-roles-since' });
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  // A short cache keeps the store read off the login hot path; other processes see a change
  // within a second.
  let cached: { value: Partial<Settings> | null; at: number } | null = null;

  const smsAvailable = () => Boolean(config().sms);

  const defaults = (): Settings => ({
    enabled: true,
    methods: { totp: true, email: true, sms: smsAvailable(), passkey: false },
    enforcedRoles: [],
    issuer: 'Strapi',
    codeLifetime: 600,
    maxFailures: 10,
    lockDuration: 900,
    codeAttempts: 5,
    backupCodeCount: 10,
    totpWindow: 1,
    enforcementGraceDays: 0,
    trustedDevices: { enabled: false, days: 30 },
    passkeys: { passwordless: false },
  });

  const merge = (stored: Partial<Settings> | null): Settings => {
    const base = defaults();
    const value = { ...base, ...(stored || {}), methods: { ...base.methods, ...(stored?.methods || {}) } };
    value.trustedDevices = { ...base.trustedDevices, ...(stored?.trustedDevices || {}) };
    value.passkeys = { ...base.passkeys, ...(stored?.passkeys || {}) };
    // "SMS module required": no provider, no SMS, whatever was stored.
    if (!smsAvailable()) value.methods.sms = false;
    return value;
  };

  const validate = async (input: Settings) => {
    const problems: string[] = [];
    for (const [key, [min, max]] of Object.entries(LIMITS)) {
      const value = input[key as keyof typeof LIMITS];
      if (!Number.isInteger(value) || value < min || value > max) {
        problems.push(`${key} must be a whole number from ${min} to ${max}`);
      }
    }
    if (typeof input.issuer !== 'string' || !input.issuer.trim() || input.issuer.length > 64) {
      problems.push('issuer must be 1 to 64 characters');
    }
    const { enabled: trusting, days } = input.trustedDevices ?? {};
    if (typeof trusting !== 'boolean') problems.push('trustedDevices.enabled must be true or false');
    if (!Number.isInteger(days) || days < TRUSTED_DAYS[0] || days > TRUSTED_DAYS[1]) {
      problems.push(`trustedDevices.days must be a whole number from ${TRUSTED_DAYS[0]} to ${TRUSTED_DAYS[1]}`);
    }
    if (typeof input.passkeys?.passwordless !== 'boolean') problems.push('passkeys.passwordless must be true or false');
    if (input.methods.passkey && !passkeysConfigured(config().passkeys)) {
      problems.push(`Passkeys cannot be switched on: ${PASSKEYS_CONFIG_NEEDED}`);
    }
    if (input.methods.sms && !smsAvailable()) {
      problems.push('SMS module required: configure an SMS provider before switching SMS on');
    }
    // A required role with nothing to enrol would lock its users out.
    if (input.enforcedRoles.length && !METHODS.some((m) => input.methods[m])) {
      problems.push('Requiring two-factor for roles needs at least one method switched on');
    }
    const roles = await strapi.db.query('plugin::users-permissions.role').findMany({ select: ['type'] });
    const known = new Set(roles.map((role: any) => role.type));
    const unknown = input.enforcedRoles.filter((type) => !known.has(type));
    if (unknown.length) problems.push(`Unknown roles: ${unknown.join(', ')}`);
    if (problems.length) {
      throw twoFactorError('INVALID_SETTINGS', problems.join('; '), { errors: problems });
    }
  };

  return {
    smsAvailable,

    /** Whether the deployment configured a WebAuthn relying party (config `passkeys.rpId` and `passkeys.origins`). */
    passkeysAvailable: () => passkeysConfigured(config().passkeys),

    /** `fresh`: read the store now (a remembered device is judged on what the database says at that login). */
    async get(options: { fresh?: boolean } = {}): Promise<Settings> {
      // The stored value is cached; whether an SMS provider is configured is read every time.
      if (options.fresh || !cached || Date.now() - cached.at >= CACHE_MS) {
        cached = { value: (await store().get({})) as Partial<Settings> | null, at: Date.now() };
      }
      return merge(cached.value);
    },

    async update(input: Settings): Promise<Settings> {
      await validate(input);
      const value: Settings = {
        enabled: input.enabled,
        methods: { totp: input.methods.totp, email: input.methods.email, sms: input.methods.sms, passkey: input.methods.passkey },
        enforcedRoles: [...new Set(input.enforcedRoles)],
        issuer: input.issuer.trim(),
        codeLifetime: input.codeLifetime,
        maxFailures: input.maxFailures,
        lockDuration: input.lockDuration,
        codeAttempts: input.codeAttempts,
        backupCodeCount: input.backupCodeCount,
        totpWindow: input.totpWindow,
        enforcementGraceDays: input.enforcementGraceDays,
        trustedDevices: { enabled: input.trustedDevices.enabled, days: input.trustedDevices.days },
        passkeys: { passwordless: input.passkeys.passwordless },
      };
      await store().set({ value });
      await this.noteRequiredRoles(value.enforcedRoles);
      cached = null;
      return this.get();
    },

    /**
     * When each required role became required (ms), kept beside the settings: a role keeps its
     * time while it stays required, and starts again if it is dropped and required anew.
     */
    async requiredSince(): Promise<Record<string, number>> {
      return ((await sinceStore().get({})) as Record<string, number> | null) ?? {};
    },

    async noteRequiredRoles(roles: string[]) {
      const before = await this.requiredSince();
      const now = Date.now();
      await sinceStore().set({ value: Object.fromEntries(roles.map((role) => [role, before[role] ?? now])) });
    },

    /** Whether a method may be newly enrolled. Existing factors keep working (never a bypass). */
    async methodOpen(method: Method): Promise<boolean> {
      const settings = await this.get();
      if (method === PASSKEY && !passkeysConfigured(config().passkeys)) return false;
      return settings.enabled && settings.methods[method];
    },
  };
};
