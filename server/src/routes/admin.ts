/**
 * The admin panel's API: an admin session and the plugin's RBAC action for each route (the
 * actions are registered in bootstrap); errors carry their code as on the content API.
 */
const route = (method: string, path: string, handler: string, action: string) => ({
  method,
  path,
  handler,
  config: {
    policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [`plugin::two-factor.${action}`] } }],
    middlewares: ['plugin::two-factor.error-answers'],
  },
});

export default [
  route('GET', '/settings', 'adminSettings.find', 'settings.read'),
  route('PUT', '/settings', 'adminSettings.update', 'settings.update'),
  route('GET', '/users', 'adminUsers.find', 'users.read'),
  route('POST', '/users/:id/reset', 'adminUsers.reset', 'users.reset'),
  route('GET', '/events', 'adminEvents.find', 'events.read'),
];
