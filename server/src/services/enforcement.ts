import type { Core } from '@strapi/strapi';
import { UID, getService } from '../utils/plugin';

const DAY_MS = 86_400_000;

/**
 * Roles that must use two-factor, with a grace period: a user of such a role without a factor
 * may still sign in until a deadline, counted from when the role was required or the user joined
 * it, whichever is later. Joining is recorded from the user model's lifecycles (bootstrap.ts); a
 * user with no record (in the role since before the plugin saw it) counts from the requirement.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const memberships = () => strapi.db.query(UID.roleMembership);

  return {
    /** The deadline to set up a factor for a user of the required role `roleType`; null without a grace period. */
    async deadline(userId: number, roleType: string): Promise<Date | null> {
      const settings = getService(strapi, 'settings');
      const { enforcementGraceDays } = await settings.get();
      if (!enforcementGraceDays) return null;
      const [since, membership] = await Promise.all([
        settings.requiredSince(),
        memberships().findOne({ where: { userId }, select: ['roleType', 'since'] }),
      ]);
      const joined = membership?.roleType === roleType ? Number(membership.since) : 0;
      return new Date(Math.max(since[roleType] ?? 0, joined) + enforcementGraceDays * DAY_MS);
    },

    /** The role type of a user, for the lifecycles to compare before and after a change. */
    async roleTypeOf(where: Record<string, unknown>): Promise<string | null> {
      const user = await strapi.db.query(UID.user).findOne({ where, select: ['id'], populate: { role: { select: ['type'] } } });
      return user?.role?.type ?? null;
    },

    /**
     * Records that a user is in `roleType` from now on, when that is a change into a required
     * role. A new user has no
     * row yet: a plain insert. (An UPDATE of a missing row first would take a gap lock on
     * MariaDB/MySQL, and parallel sign-ups would deadlock on their inserts.)
     */
    async noteRole(userId: number, roleType: string | null, before: string | null, options: { created?: boolean } = {}) {
      if (!roleType || roleType === before) return;
      // Only joining a role that is required now matters: for one required later, the
      // requirement's own time is the later one.
      if (!(await getService(strapi, 'settings').get()).enforcedRoles.includes(roleType)) return;
      const data = { roleType, since: Date.now() };
      if (options.created) {
        await memberships().create({ data: { userId, ...data } });
        return;
      }
      const row = await memberships().findOne({ where: { userId }, select: ['id'] });
      if (row) await memberships().update({ where: { id: row.id }, data });
      else await memberships().create({ data: { userId, ...data } });
    },

    async forget(userId: number) {
      await memberships().deleteMany({ where: { userId } });
    },
  };
};
