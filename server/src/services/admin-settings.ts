import type { Core } from '@strapi/strapi';
import { getService } from '../utils/plugin';
import { LIMITS, type Settings } from './settings';

/** What the settings page shows beside the settings: what it may offer and the allowed ranges. */
export interface SettingsView extends Settings {
  smsAvailable: boolean;
  roles: { type: string; name: string }[];
  limits: typeof LIMITS;
}

export type SettingsChange = Partial<Omit<Settings, 'methods'>> & { methods?: Partial<Settings['methods']> };

/** The admin panel's view of the operator settings; rules stay in services/settings. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = () => getService(strapi, 'settings');

  return {
    async view(): Promise<SettingsView> {
      const roles = await strapi.db
        .query('plugin::users-permissions.role')
        .findMany({ select: ['type', 'name'], orderBy: { id: 'asc' } });
      return {
        ...(await settings().get()),
        smsAvailable: settings().smsAvailable(),
        roles: roles.map((role: any) => ({ type: role.type, name: role.name })),
        limits: LIMITS,
      };
    },

    /** A partial change applied over the current settings: one validation, all or nothing. */
    async update(change: SettingsChange): Promise<SettingsView> {
      const current = await settings().get();
      await settings().update({ ...current, ...change, methods: { ...current.methods, ...(change.methods ?? {}) } });
      return this.view();
    },
  };
};
