import { withZod, type RouteSchemas } from './schemas/zod';
import { loginSchemas } from './schemas/login';
import { manageSchemas } from './schemas/manage';
import { deviceSchemas } from './schemas/devices';
import { passkeySchemas } from './schemas/passkeys';

/**
 * Content API routes. The pending-login routes are public (`auth: false`): their
 * credential is the mfa token, checked by the login service. Enrolment accepts a signed-in user
 * or a setup-required pending login, so it resolves its caller itself. The other management
 * routes use users-permissions' JWT and role permissions (granted to Authenticated at first start).
 */
const errorAnswers = 'plugin::two-factor.error-answers';
// users-permissions' limiter, per path and IP; the compatibility login counts as `/auth/local`.
const limited = { name: 'plugin::two-factor.rate-limit', config: {} };
const limitedAsLogin = { name: 'plugin::two-factor.rate-limit', config: { bucket: '/auth/local' } };

export interface Route extends Partial<RouteSchemas> {
  method: string;
  path: string;
  handler: string;
  config: Record<string, unknown>;
}

/** A public route: it checks its own credential (password, code, pending or setup token) and is rate limited. */
const pub = (method: string, path: string, handler: string, schemas?: RouteSchemas, limit: object = limited): Route => ({
  method,
  path,
  handler,
  ...schemas,
  config: { auth: false, middlewares: [errorAnswers, limit] },
});
const user = (method: string, path: string, handler: string, schemas?: RouteSchemas): Route => ({
  method,
  path,
  handler,
  ...schemas,
  config: { middlewares: [errorAnswers] },
});

/**
 * The compatibility routes: the same handlers at /api/authentication/local and
 * /api/authentication/twoFa/*, the paths of clients written for that API, outside the plugin's prefix.
 */
const compat = (route: Route): Route => ({ ...route, config: { ...route.config, prefix: '' } });

// Request and answer of each route, for `strapi openapi generate` (docs/development.md).
const login = withZod(loginSchemas);
const manage = withZod(manageSchemas);
const devices = withZod(deviceSchemas);
const passkeys = withZod(passkeySchemas);

export default [
  pub('POST', '/verify', 'login.verify', login?.verify),
  pub('POST', '/send', 'login.send', login?.send),
  pub('POST', '/enable', 'manage.enable', manage?.enable),
  pub('POST', '/confirm', 'manage.confirm', manage?.confirm),
  user('GET', '/status', 'manage.status', manage?.status),
  user('POST', '/backup-codes', 'manage.backupCodes', manage?.backupCodes),
  user('POST', '/disable', 'manage.disable', manage?.disable),
  user('POST', '/step-up', 'manage.stepUp', manage?.stepUp),
  user('GET', '/devices', 'devices.list', devices?.list),
  user('DELETE', '/devices/:id', 'devices.revoke', devices?.revoke),
  user('DELETE', '/devices', 'devices.revokeAll', devices?.revokeAll),
  // Passkeys: registration resolves its caller (JWT or setup token) as enable does.
  pub('POST', '/passkeys/options', 'passkeys.registrationOptions', passkeys?.registrationOptions),
  pub('POST', '/passkeys', 'passkeys.register', passkeys?.register),
  pub('POST', '/passkeys/challenge', 'passkeys.challenge', passkeys?.challenge),
  pub('POST', '/passkeys/login/options', 'passkeys.passwordlessOptions', passkeys?.passwordlessOptions),
  pub('POST', '/passkeys/login', 'passkeys.passwordlessLogin', passkeys?.passwordlessLogin),
  user('GET', '/passkeys', 'passkeys.list', passkeys?.list),
  user('PUT', '/passkeys/:id', 'passkeys.rename', passkeys?.rename),
  user('DELETE', '/passkeys/:id', 'passkeys.remove', passkeys?.remove),

  compat(pub('POST', '/authentication/local', 'login.passwordLogin', login?.passwordLogin, limitedAsLogin)),
  compat(pub('POST', '/authentication/twoFa/verify', 'login.verifyOrConfirm', manage?.verifyOrConfirm)),
  compat(pub('POST', '/authentication/twoFa/send', 'login.send', login?.send)),
  compat(pub('POST', '/authentication/twoFa/enable', 'manage.enableAuthenticator', manage?.enableAuthenticator)),
  compat(pub('POST', '/authentication/twoFa/confirm', 'manage.confirmAuthenticator', manage?.confirmAuthenticator)),
  compat(user('POST', '/authentication/twoFa/backup-codes', 'manage.backupCodes', manage?.backupCodes)),
  compat(user('POST', '/authentication/twoFa/disable', 'manage.disable', manage?.disable)),
];
