import type { Core } from '@strapi/strapi';
import { UID, getService } from '../utils/plugin';
import type { Page } from './admin-users';

export interface EventQuery {
  page?: number;
  pageSize?: number;
  /** A user id, or a username or email address (exact, email case-insensitive). */
  user?: string;
  type?: string;
}

/** The audit log as the admin panel shows it: newest first, with who each event concerns. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const users = () => strapi.db.query(UID.user);

  /** The user id a filter names; null when it names nobody. */
  const resolveUser = async (user: string): Promise<number | null> => {
    if (/^\d+$/.test(user)) return Number(user);
    const found = await users().findOne({
      where: { $or: [{ username: user }, { email: user.toLowerCase() }] },
      select: ['id'],
    });
    return found ? found.id : null;
  };

  return {
    async list({ page = 1, pageSize = 25, user, type }: EventQuery): Promise<Page<any>> {
      let userId: number | undefined;
      if (user) {
        const id = await resolveUser(user);
        if (id === null) return { results: [], pagination: { page, pageSize, total: 0, pageCount: 0 } };
        userId = id;
      }
      const events = await getService(strapi, 'audit').list({ page, pageSize, userId, type });
      const ids = [...new Set(events.results.map((e: any) => e.userId).filter((id: unknown) => id !== null))];
      const named = ids.length
        ? await users().findMany({ where: { id: { $in: ids } }, select: ['id', 'username', 'email'] })
        : [];
      const byId = new Map(named.map((u: any) => [Number(u.id), { id: u.id, username: u.username, email: u.email }]));
      return {
        ...events,
        // A deleted user's events stay, with their id and no name.
        results: events.results.map((e: any) => ({ ...e, user: e.userId === null ? null : byId.get(Number(e.userId)) ?? null })),
      };
    },
  };
};
