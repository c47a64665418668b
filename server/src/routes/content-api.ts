/**
 * Content API routes (docs/rest-api.md). The pending-login routes are public (`auth: false`): their
 * credential is the mfa token, checked by the login service. Enrolment accepts a signed-in user
 * or a setup-required pending login, so it resolves its caller itself. The other management
 * routes use users-permissions' JWT and role permissions (granted to Authenticated at first start).
 */
const errorAnswers = 'plugin::two-factor.error-answers';
const rateLimit = 'plugin::users-permissions.rateLimit';

const pub = (method: string, path: string, handler: string, extra: string[] = []) => ({
  method,
  path,
  handler,
  config: { auth: false, middlewares: [...extra, errorAnswers] },
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

  seed(pub('POST', '/authentication/local', 'login.passwordLogin', [rateLimit])),
  seed(pub('POST', '/authentication/twoFa/verify', 'login.verify')),
  seed(pub('POST', '/authentication/twoFa/send', 'login.send')),
  seed(pub('POST', '/authentication/twoFa/enable', 'manage.enableAuthenticator')),
  seed(pub('POST', '/authentication/twoFa/confirm', 'manage.confirm')),
  seed(user('POST', '/authentication/twoFa/backup-codes', 'manage.backupCodes')),
  seed(user('POST', '/authentication/twoFa/disable', 'manage.disable')),
];
