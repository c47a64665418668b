import type { Core } from '@strapi/strapi';
import { UID, getService } from '../utils/plugin';
import { LIMITS, TRUSTED_DAYS, type Settings } from './settings';

/** What the settings page shows beside the settings: what it may offer and the allowed ranges. */
export interface SettingsView extends Settings {
  smsAvailable: boolean;
  /** Whether config `passkeys.rpId` and `passkeys.origins` are set (the passkey switch needs them). */
  passkeysAvailable: boolean;
  roles: { type: string; name: string }[];
  limits: typeof LIMITS & { trustedDevicesDays: typeof TRUSTED_DAYS };
}

export type SettingsChange = Partial<Omit<Settings, 'methods' | 'trustedDevices' | 'passkeys'>> & {
  methods?: Partial<Settings['methods']>;
  trustedDevices?: Partial<Settings['trustedDevices']>;
  passkeys?: Partial<Settings['passkeys']>;
};

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
        passkeysAvailable: settings().passkeysAvailable(),
        roles: roles.map((role: any) => ({ type: role.type, name: role.name })),
        limits: { ...LIMITS, trustedDevicesDays: TRUSTED_DAYS },
      };
    },

    /** A partial change applied over the current settings: one validation, all or nothing. */
    async update(change: SettingsChange): Promise<SettingsView> {
      const current = await settings().get();
      const trustedDevices = { ...current.trustedDevices, ...(change.trustedDevices ?? {}) };
      const passkeys = { ...current.passkeys, ...(change.passkeys ?? {}) };
      await settings().update({ ...current, ...change, methods: { ...current.methods, ...(change.methods ?? {}) }, trustedDevices, passkeys });
      // Switched off, remembered devices are forgotten: switching on again must not revive them.
      if (current.trustedDevices.enabled && !trustedDevices.enabled) await strapi.db.query(UID.device).deleteMany({ where: {} });
      return this.view();
    },
  };
};
