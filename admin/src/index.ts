import { PLUGIN_ID } from './pluginId';
import { PERMISSIONS } from './permissions';

const trad = (id: string, defaultMessage: string) => ({ id: `${PLUGIN_ID}.${id}`, defaultMessage });

/** The admin side of the plugin: three pages under Settings › Users & Permissions, and translations. */
export default {
  register(app: any) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'Two-factor authentication' });
  },

  bootstrap(app: any) {
    // Beside Users & Permissions' own pages; each link shows only to
    // admins whose role holds its read action.
    app.addSettingsLink('users-permissions', [
      {
        id: 'two-factor-settings',
        to: 'users-permissions/two-factor',
        intlLabel: trad('nav.settings', 'Two-factor authentication'),
        Component: () => import('./pages/SettingsPage'),
        permissions: PERMISSIONS.readSettings,
      },
      {
        id: 'two-factor-users',
        to: 'users-permissions/two-factor-users',
        intlLabel: trad('nav.users', 'Two-factor users'),
        Component: () => import('./pages/UsersPage'),
        permissions: PERMISSIONS.readUsers,
      },
      {
        id: 'two-factor-events',
        to: 'users-permissions/two-factor-events',
        intlLabel: trad('nav.events', 'Two-factor audit log'),
        Component: () => import('./pages/EventsPage'),
        permissions: PERMISSIONS.readEvents,
      },
    ]);
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = await import(`./translations/${locale}.json`);
          const prefixed = Object.fromEntries(Object.entries(data).map(([key, value]) => [`${PLUGIN_ID}.${key}`, value]));
          return { data: prefixed, locale };
        } catch {
          return { data: {}, locale };
        }
      })
    );
  },
};
