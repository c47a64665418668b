/** The plugin's admin RBAC actions (server/src/bootstrap.ts registers them). */
const action = (uid: string) => [{ action: `plugin::two-factor.${uid}`, subject: null }];

export const PERMISSIONS = {
  readSettings: action('settings.read'),
  updateSettings: action('settings.update'),
  readUsers: action('users.read'),
  resetUsers: action('users.reset'),
  readEvents: action('events.read'),
};
