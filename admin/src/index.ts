import { PLUGIN_ID } from './pluginId';

/** The admin side of the plugin: registration and translations. */
export default {
  register(app: any) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'Two-factor authentication' });
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
