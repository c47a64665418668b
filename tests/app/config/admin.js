module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET', 'host-app-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'host-app-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'host-app-transfer-token-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'host-app-admin-encryption-key') },
  flags: { nps: false, promoteEE: false },
  // The admin panel is served from the same origin in the host app.
  url: env('ADMIN_PATH', '/admin'),
});
