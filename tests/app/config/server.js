module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  app: { keys: env.array('APP_KEYS', ['hostAppKeyOne', 'hostAppKeyTwo']) },
  // Only trust X-Forwarded-* when the operator says a proxy is in front (docs/security.md R2).
  proxy: env.bool('PROXY', false),
  cron: { enabled: false },
});
