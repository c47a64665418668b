import { withZod, type RouteSchemas } from './schemas/zod';
import { adminSchemas } from './schemas/admin';

/**
 * The admin panel's API: an admin session and the plugin's RBAC action for each route (the
 * actions are registered in bootstrap); errors carry their code as on the content API.
 */
const route = (method: string, path: string, handler: string, action: string, schemas?: RouteSchemas) => ({
  method,
  path,
  handler,
  ...schemas,
  config: {
    policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [`plugin::two-factor.${action}`] } }],
    middlewares: ['plugin::two-factor.error-answers'],
  },
});

// Request and answer of each route, for the OpenAPI generator's admin document (docs/development.md).
const schemas = withZod(adminSchemas);

export default [
  route('GET', '/settings', 'adminSettings.find', 'settings.read', schemas?.settings),
  route('PUT', '/settings', 'adminSettings.update', 'settings.update', schemas?.updateSettings),
  route('GET', '/users', 'adminUsers.find', 'users.read', schemas?.users),
  route('POST', '/users/:id/reset', 'adminUsers.reset', 'users.reset', schemas?.reset),
  route('POST', '/users/:id/unlock', 'adminUsers.unlock', 'users.reset', schemas?.unlock),
  route('POST', '/users/:id/revoke-devices', 'adminUsers.revokeDevices', 'users.reset', schemas?.revokeDevices),
  route('GET', '/events', 'adminEvents.find', 'events.read', schemas?.events),
];
