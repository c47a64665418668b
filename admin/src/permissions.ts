/**
 * The plugin's admin RBAC actions (server/src/bootstrap.ts registers them), each an array of
 * permissions as `useRBAC`, `Page.Protect` and settings links take them.
 */
const action = (uid: string) => [{ action: `plugin::two-factor.${uid}`, subject: null }];

export const PERMISSIONS = {
  readSettings: action('settings.read'),
  updateSettings: action('settings.update'),
  readUsers: action('users.read'),
  resetUsers: action('users.reset'),
  readEvents: action('events.read'),
};
