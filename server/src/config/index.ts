import { NOTICE_EVENTS, isNoticeEvent, type NoticeEvent, type NoticeTemplate } from '../core/notices';

/**
 * Deployment configuration (config/plugins.ts → 'two-factor'.config). Operator settings that
 * change at run time live in the plugin store instead (services/settings.ts).
 */
export interface SmsProviderConfig {
  provider: 'console' | 'webhook' | 'twilio' | 'custom';
  providerOptions?: Record<string, unknown>;
  /** For provider 'custom': the host app's own sender. */
  send?: (message: { to: string; body: string }) => Promise<void>;
  /** The text message; placeholders as in the email template. */
  template?: string;
}

/** Placeholders: `<%= code %>`, `<%= minutes %>`, `<%= appName %>`, `<%= action %>`. */
export interface EmailTemplate {
  subject: string;
  text: string;
  html: string;
}

/** How often codes may be sent (SMS costs money): the counts live in the database. */
export interface SendLimits {
  /** Seconds before the same login, enrolment or step-up may send another code. */
  cooldown: number;
  /** Codes per account, and per client IP, within `window` seconds. */
  perAccount: { max: number; window: number };
  perIp: { max: number; window: number };
}

/** The periodic removal of rows nothing can use any more (services/cleanup.ts), run by Strapi's cron. */
export interface CleanupConfig {
  enabled: boolean;
  /** When it runs: a cron expression as `strapi.cron` takes it. */
  rule: string;
}

/**
 * The WebAuthn relying party (passkeys). Taken from here only, never from a request's headers:
 * `rpId` is the domain the passkeys are bound to (`example.com`, no scheme or port), `origins`
 * the exact origins of the pages that call WebAuthn (`https://app.example.com`).
 */
export interface PasskeysConfig {
  rpId?: string;
  /** The name a browser shows while creating a passkey; defaults to the issuer setting. */
  rpName?: string;
  origins: string[];
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
  /** The name in emailed and texted codes (`<%= appName %>`); defaults to the issuer setting. */
  appName?: string;
  email: { from?: string; replyTo?: string; template: EmailTemplate };
  sendLimits: SendLimits;
  notifications: NotificationConfig;
  cleanup: CleanupConfig;
  /**
   * Seconds a session stays fresh after it passed a second factor (a login's verify or a
   * step-up): within them, sensitive changes need no code again. 0: never fresh.
   */
  stepUpWindow: number;
  passkeys: PasskeysConfig;
}

/** The emails that tell a user of a security change on their account (core/notices.ts). */
export interface NotificationConfig {
  /** false: no notices at all. */
  enabled: boolean;
  /** Per event, whether it mails the user; every event is on unless set to false. */
  events: Record<NoticeEvent, boolean>;
  /** Per event, the operator's subject, text or html over the built-in ones (core/notices.ts). */
  templates: Partial<Record<NoticeEvent, Partial<NoticeTemplate>>>;
}

export const DEFAULT_EMAIL_TEMPLATE: EmailTemplate = {
  subject: 'Your <%= appName %> verification code: <%= code %>',
  text: [
    'Your <%= appName %> verification code is <%= code %>',
    '',
    'Use it to <%= action %>. It expires in <%= minutes %> minutes and works once.',
    '',
    'If you did not ask for this code, ignore this email and consider changing your password.',
  ].join('\n'),
  html: [
    '<p>Your <%= appName %> verification code is</p>',
    '<p style="font-size:24px;font-weight:bold;letter-spacing:4px"><%= code %></p>',
    '<p>Use it to <%= action %>. It expires in <%= minutes %> minutes and works once.</p>',
    '<p>If you did not ask for this code, ignore this email and consider changing your password.</p>',
  ].join('\n'),
};

export const DEFAULT_SMS_TEMPLATE = '<%= code %> is your <%= appName %> verification code. It expires in <%= minutes %> minutes.';

const defaults: PluginConfig = {
  encryptionKey: undefined,
  previousEncryptionKeys: [],
  pendingTokenTtl: 300,
  enrolmentTtl: 600,
  cookie: { name: 'strapi_two_factor', path: '/api', sameSite: 'lax' },
  sms: undefined,
  email: { template: DEFAULT_EMAIL_TEMPLATE },
  sendLimits: { cooldown: 30, perAccount: { max: 10, window: 3600 }, perIp: { max: 100, window: 3600 } },
  notifications: {
    enabled: true,
    events: Object.fromEntries(NOTICE_EVENTS.map((event) => [event, true])) as Record<NoticeEvent, boolean>,
    templates: {},
  },
  // Hourly, at a minute few other jobs pick.
  cleanup: { enabled: true, rule: '23 * * * *' },
  stepUpWindow: 300,
  passkeys: { rpId: undefined, rpName: undefined, origins: [] },
};

/** Whether passkeys can be used: an RP ID and at least one origin are configured. */
export const passkeysConfigured = (passkeys: PasskeysConfig | undefined): passkeys is PasskeysConfig & { rpId: string } =>
  Boolean(passkeys && nonEmpty(passkeys.rpId) && Array.isArray(passkeys.origins) && passkeys.origins.length > 0);

/** What an operator must set before switching passkeys on (messages of the settings and of the start). */
export const PASSKEYS_CONFIG_NEEDED =
  "passkeys need the plugin config 'two-factor'.config.passkeys.rpId (the site's domain) and passkeys.origins (the https origins of its pages)";

const validatePasskeys = (passkeys: PasskeysConfig | undefined) => {
  if (!passkeys || typeof passkeys !== 'object') throw new Error('two-factor: passkeys must be an object { rpId, rpName, origins }');
  if (passkeys.rpId !== undefined && passkeys.rpId !== null && passkeys.rpId !== '') {
    if (typeof passkeys.rpId !== 'string' || !/^[a-z0-9.-]+$/i.test(passkeys.rpId)) {
      throw new Error('two-factor: passkeys.rpId must be a domain name (example.com: no scheme, port or path)');
    }
  }
  if (passkeys.rpName !== undefined && passkeys.rpName !== null && !nonEmpty(passkeys.rpName)) {
    throw new Error('two-factor: passkeys.rpName must be a non-empty string');
  }
  if (!Array.isArray(passkeys.origins)) throw new Error('two-factor: passkeys.origins must be an array of origins (https://app.example.com)');
  for (const origin of passkeys.origins) {
    let parsed: URL | null = null;
    try {
      parsed = typeof origin === 'string' ? new URL(origin) : null;
    } catch {
      parsed = null;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new Error(`two-factor: passkeys.origins must hold origins such as https://app.example.com (scheme, host and port only): ${String(origin)}`);
    }
  }
};

const positiveInt = (value: unknown) => Number.isInteger(value) && (value as number) > 0;
const nonEmpty = (value: unknown) => typeof value === 'string' && value.trim().length > 0;

const validateSms = (sms: SmsProviderConfig) => {
  if (!['console', 'webhook', 'twilio', 'custom'].includes(sms.provider)) {
    throw new Error('two-factor: sms.provider must be console, webhook, twilio or custom');
  }
  const options = (sms.providerOptions ?? {}) as Record<string, unknown>;
  switch (sms.provider) {
    case 'console':
      // It writes codes to the log: a development aid that must not reach production.
      if (process.env.NODE_ENV === 'production') {
        throw new Error('two-factor: the console SMS provider only logs messages; configure webhook, twilio or custom in production');
      }
      break;
    case 'webhook':
      if (typeof options.url !== 'string' || !/^https?:\/\//.test(options.url)) {
        throw new Error('two-factor: sms.providerOptions.url must be the http(s) URL of the webhook');
      }
      break;
    case 'twilio':
      for (const key of ['accountSid', 'authToken'] as const) {
        if (!nonEmpty(options[key])) throw new Error(`two-factor: sms.providerOptions.${key} is required for Twilio`);
      }
      if (!nonEmpty(options.from) && !nonEmpty(options.messagingServiceSid)) {
        throw new Error('two-factor: sms.providerOptions.from (or messagingServiceSid) is required for Twilio');
      }
      if (options.apiUrl !== undefined && options.apiUrl !== null && (typeof options.apiUrl !== 'string' || !/^https?:\/\//.test(options.apiUrl))) {
        throw new Error('two-factor: sms.providerOptions.apiUrl must be an http(s) URL');
      }
      break;
    case 'custom':
      if (typeof sms.send !== 'function') {
        throw new Error('two-factor: sms.send must be a function for the custom provider');
      }
      break;
  }
  if (sms.template !== undefined && !nonEmpty(sms.template)) {
    throw new Error('two-factor: sms.template must be a non-empty string');
  }
};

const validateLimit = (name: string, limit: { max: number; window: number } | undefined) => {
  if (!limit || !positiveInt(limit.max) || !positiveInt(limit.window)) {
    throw new Error(`two-factor: sendLimits.${name} needs whole numbers max and window (seconds) above 0`);
  }
};

const validateNotifications = (notifications: NotificationConfig | undefined) => {
  if (!notifications || typeof notifications.enabled !== 'boolean') {
    throw new Error('two-factor: notifications.enabled must be true or false');
  }
  const { events, templates } = notifications;
  for (const [event, on] of Object.entries(events ?? {})) {
    if (!isNoticeEvent(event)) throw new Error(`two-factor: notifications.events.${event} is not a notice; known: ${NOTICE_EVENTS.join(', ')}`);
    if (typeof on !== 'boolean') throw new Error(`two-factor: notifications.events.${event} must be true or false`);
  }
  for (const [event, template] of Object.entries(templates ?? {})) {
    if (!isNoticeEvent(event)) throw new Error(`two-factor: notifications.templates.${event} is not a notice; known: ${NOTICE_EVENTS.join(', ')}`);
    for (const [key, value] of Object.entries(template ?? {})) {
      if (!['subject', 'text', 'html'].includes(key) || !nonEmpty(value)) {
        throw new Error(`two-factor: notifications.templates.${event} takes non-empty strings subject, text and html`);
      }
    }
  }
};

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
    if (config.sms) validateSms(config.sms);
    const template = config.email?.template;
    for (const key of ['subject', 'text', 'html'] as const) {
      if (!template || !nonEmpty(template[key])) throw new Error(`two-factor: email.template.${key} must be a non-empty string`);
    }
    const limits = config.sendLimits;
    if (!limits || !Number.isInteger(limits.cooldown) || limits.cooldown < 0 || limits.cooldown > 3600) {
      throw new Error('two-factor: sendLimits.cooldown must be a whole number of seconds from 0 to 3600');
    }
    validateLimit('perAccount', limits.perAccount);
    validateLimit('perIp', limits.perIp);
    validateNotifications(config.notifications);
    if (!config.cleanup || typeof config.cleanup.enabled !== 'boolean' || !nonEmpty(config.cleanup.rule)) {
      throw new Error('two-factor: cleanup needs enabled (true or false) and rule (a cron expression)');
    }
    if (!Number.isInteger(config.stepUpWindow) || config.stepUpWindow < 0 || config.stepUpWindow > 86400) {
      throw new Error('two-factor: stepUpWindow must be a whole number of seconds from 0 to 86400');
    }
    validatePasskeys(config.passkeys);
  },
};
