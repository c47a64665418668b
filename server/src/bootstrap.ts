import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID, getService } from './utils/plugin';
import { PASSKEYS_CONFIG_NEEDED } from './config';
import lockedGuess from './middlewares/locked-guess';

/**
 * What a signed-in user may do with their own 2FA; granted once each, then the operator's to change.
 * `manage.enable` is what the GraphQL enrolment operations that need a JWT check (its REST route
 * is public: it resolves its own caller).
 */
const AUTHENTICATED_ACTIONS = [
  ...['manage.status', 'manage.enable', 'manage.backupCodes', 'manage.disable', 'manage.stepUp'],
  ...['devices.list', 'devices.revoke', 'devices.revokeAll'],
  ...['passkeys.list', 'passkeys.rename', 'passkeys.remove'],
].map(
  (action) => `plugin::${PLUGIN_ID}.${action}`
);

/** The admin panel's RBAC actions: granted per admin role in Settings > Roles. */
const ADMIN_ACTIONS = [
  { uid: 'settings.read', displayName: 'Read', subCategory: 'settings' },
  { uid: 'settings.update', displayName: 'Update', subCategory: 'settings' },
  { uid: 'users.read', displayName: 'Read', subCategory: 'users' },
  { uid: 'users.reset', displayName: 'Reset two-factor', subCategory: 'users' },
  { uid: 'events.read', displayName: 'Read', subCategory: 'audit log' },
].map((action) => ({ ...action, section: 'plugins', pluginName: PLUGIN_ID }));

/**
 * Grants each default action once: the list of actions already granted is kept, so an action
 * added by an upgrade is granted on its first start, and one the operator revoked stays revoked.
 */
const grantDefaultPermissions = async (strapi: Core.Strapi) => {
  const store = strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'granted-actions' });
  const granted = new Set(((await store.get({})) as string[] | null) ?? []);
  const missing = AUTHENTICATED_ACTIONS.filter((action) => !granted.has(action));
  if (!missing.length) return;
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  if (!role) return;
  const permissions = strapi.db.query('plugin::users-permissions.permission');
  for (const action of missing) {
    if (!(await permissions.count({ where: { action, role: role.id } }))) {
      await permissions.create({ data: { action, role: role.id } });
    }
    granted.add(action);
  }
  await store.set({ value: [...granted] });
};

/**
 * Production never runs with passkeys switched on and no relying party: every ceremony would
 * fail, and the RP ID and origins must come from the config, never from a request.
 */
const refuseUnconfiguredPasskeys = async (strapi: Core.Strapi) => {
  if (process.env.NODE_ENV !== 'production') return;
  const settings = getService(strapi, 'settings');
  if ((await settings.get({ fresh: true })).methods.passkey && !settings.passkeysAvailable()) {
    throw new Error(`two-factor: passkeys are switched on (settings methods.passkey) but ${PASSKEYS_CONFIG_NEEDED}; set them, or switch passkeys off`);
  }
};

export default async ({ strapi }: { strapi: Core.Strapi }) => {
  // Fails the start when production has no key, instead of the first login.
  getService(strapi, 'keys').load();
  // Strapi has added the configured middlewares by now and adds the router at listen: this one
  // runs between them (middlewares/locked-guess.ts).
  strapi.server.use(lockedGuess({ strapi }));
  await refuseUnconfiguredPasskeys(strapi);
  await grantDefaultPermissions(strapi);
  await strapi.service('admin::permission').actionProvider.registerMany(ADMIN_ACTIONS);
  // After a key change, secrets sealed with a previous key are rewritten with the current one.
  await getService(strapi, 'keyRotation').reencryptSecrets();
  // Expired rows go hourly (config `cleanup`), not at random from a request.
  getService(strapi, 'cleanup').schedule();

  const enforcement = getService(strapi, 'enforcement');
  strapi.db.lifecycles.subscribe({
    models: [UID.user],
    // A deleted user leaves no factor, code, challenge, counter or role record behind.
    async afterDelete(event: any) {
      const id = event.result?.id;
      if (id === undefined) return;
      await getService(strapi, 'factors').removeEverything(id, { throttle: true });
      await enforcement.forget(id);
    },
    // When a user joins a role: a required role's grace period counts from then (services/enforcement.ts).
    async afterCreate(event: any) {
      const id = event.result?.id;
      if (id !== undefined) await enforcement.noteRole(id, await enforcement.roleTypeOf({ id }), null, { created: true });
    },
    async beforeUpdate(event: any) {
      if (event.params?.where) event.state.roleBefore = await enforcement.roleTypeOf(event.params.where);
    },
    async afterUpdate(event: any) {
      const id = event.result?.id;
      if (id === undefined || !('roleBefore' in (event.state ?? {}))) return;
      await enforcement.noteRole(id, await enforcement.roleTypeOf({ id }), event.state.roleBefore);
    },
  });
};
