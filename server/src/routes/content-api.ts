/**
 * Content API routes (docs/rest-api.md). The pending-login routes are public (`auth: false`): their
 * credential is the mfa token, checked by the login service. Enrolment accepts a signed-in user
 * or a setup-required pending login, so it resolves its caller itself. The other management
 * routes use users-permissions' JWT and role permissions (granted to Authenticated at first start).
 */
const errorAnswers = 'plugin::two-factor.error-answers';
// users-permissions' limiter, per path and IP; the compatibility login counts as `/auth/local`.
const limited = { name: 'plugin::two-factor.rate-limit', config: {} };
const limitedAsLogin = { name: 'plugin::two-factor.rate-limit', config: { bucket: '/auth/local' } };

/** A public route: it checks its own credential (password, code, pending or setup token) and is rate limited. */
const pub = (method: string, path: string, handler: string, limit: object = limited) => ({
  method,
  path,
  handler,
  config: { auth: false, middlewares: [limit, errorAnswers] },
});
const user = (method: string, path: string, handler: string) => ({
  method,
  path,
  handler,
  config: { middlewares: [errorAnswers] },
});
// Seed 004's paths sit at /api/authentication/... rather than under the plugin's prefix.
export interface Route {
  method: string;
  path: string;
  handler: string;
  config: Record<string, unknown>;
}
const seed = (route: Route): Route => ({ ...route, config: { ...route.config, prefix: '' } });

export default [
  pub('POST', '/verify', 'login.verify'),
  pub('POST', '/send', 'login.send'),
  pub('POST', '/enable', 'manage.enable'),
  pub('POST', '/confirm', 'manage.confirm'),
  user('GET', '/status', 'manage.status'),
  user('POST', '/backup-codes', 'manage.backupCodes'),
  user('POST', '/disable', 'manage.disable'),

  seed(pub('POST', '/authentication/local', 'login.passwordLogin', limitedAsLogin)),
  seed(pub('POST', '/authentication/twoFa/verify', 'login.verify')),
  seed(pub('POST', '/authentication/twoFa/send', 'login.send')),
  seed(pub('POST', '/authentication/twoFa/enable', 'manage.enableAuthenticator')),
  seed(pub('POST', '/authentication/twoFa/confirm', 'manage.confirm')),
  seed(user('POST', '/authentication/twoFa/backup-codes', 'manage.backupCodes')),
  seed(user('POST', '/authentication/twoFa/disable', 'manage.disable')),
];
