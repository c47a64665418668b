const path = require('path');

// Which SMS provider the host app uses (docs/development.md, "The host app").
// The console provider only logs (the plugin refuses it in production): no default there.
const smsProvider = (env) => {
  switch (env('SMS_PROVIDER', process.env.NODE_ENV === 'production' ? 'none' : 'console')) {
    case 'webhook':
      return { provider: 'webhook', providerOptions: { url: env('SMS_WEBHOOK_URL') } };
    case 'twilio':
      return {
        provider: 'twilio',
        providerOptions: {
          accountSid: env('TWILIO_ACCOUNT_SID'),
          authToken: env('TWILIO_AUTH_TOKEN'),
          from: env('TWILIO_FROM'),
          apiUrl: env('TWILIO_API_URL'),
        },
      };
    case 'none':
      return undefined;
    default:
      return { provider: 'console' };
  }
};

// The WebAuthn relying party (passkeys): development defaults, none in production.
const passkeys = (env) => {
  const development = process.env.NODE_ENV !== 'production';
  return {
    rpId: env('TWO_FACTOR_PASSKEY_RP_ID', development ? 'localhost' : undefined),
    origins: env.array('TWO_FACTOR_PASSKEY_ORIGINS', development ? [`http://localhost:${env('PORT', '1337')}`] : []),
  };
};

module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'host-app-users-permissions-jwt-secret'),
      jwtManagement: env('JWT_MANAGEMENT') === 'refresh' ? 'refresh' : 'legacy-support',
      ratelimit: { enabled: env('USERS_PERMISSIONS_RATELIMIT', 'on') !== 'off' },
    },
  },
  email: {
    config: env('SMTP_HOST')
      ? {
          provider: 'nodemailer',
          providerOptions: {
            host: env('SMTP_HOST'),
            port: env.int('SMTP_PORT', 25),
            secure: false,
            ignoreTLS: true,
          },
          settings: {
            defaultFrom: env('EMAIL_FROM', 'no-reply@two-factor.test'),
            defaultReplyTo: env('EMAIL_FROM', 'no-reply@two-factor.test'),
          },
        }
      : {
          // No SMTP server configured: mail is written to the log. A nodemailer JSON transport
          // sends nothing; src/index.js puts a provider that logs each message in its place
          // (Strapi's own `sendmail` provider would run a local sendmail and fail).
          provider: 'nodemailer',
          providerOptions: { jsonTransport: true },
          settings: { defaultFrom: env('EMAIL_FROM', 'no-reply@two-factor.test') },
        },
  },
  graphql: {
    enabled: env('GRAPHQL', 'on') !== 'off',
    config: { landingPage: false, depthLimit: 10, defaultLimit: 25, maxLimit: 100 },
  },
  'two-factor': {
    enabled: env('TWO_FACTOR_PLUGIN', 'on') !== 'off',
    resolve: path.resolve(__dirname, '..', '..', '..'),
    config: {
      encryptionKey: env('TWO_FACTOR_ENCRYPTION_KEY'),
      previousEncryptionKeys: env.array('TWO_FACTOR_PREVIOUS_ENCRYPTION_KEYS', []),
      sms: smsProvider(env),
      stepUpWindow: env.int('TWO_FACTOR_STEP_UP_WINDOW', 300),
      passkeys: passkeys(env),
    },
  },
});
