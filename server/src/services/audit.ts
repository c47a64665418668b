import type { Core } from '@strapi/strapi';
import { UID } from '../utils/plugin';
import type { RequestMeta } from '../utils/request-meta';
import type { EventType } from '../vocabulary';

export interface EventInput {
  userId?: number | null;
  method?: string | null;
  meta?: RequestMeta;
  /** Never a code, a secret or a token: counts and names only. */
  details?: Record<string, string | number | boolean | null>;
}

/**
 * The audit log: every security event with user, method, time, IP and user agent, never a code
 * or a secret. A failure to write it is logged, never a failed login.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async record(type: EventType, input: EventInput = {}) {
    try {
      // createMany: an insert without create()'s read-back of the row nobody uses.
      await strapi.db.query(UID.event).createMany({
        data: [
          {
            type,
            userId: input.userId ?? null,
            method: input.method ?? null,
            ip: input.meta?.ip ?? null,
            userAgent: input.meta?.userAgent ?? null,
            details: input.details ?? null,
          },
        ],
      });
    } catch (error) {
      strapi.log.error(`two-factor: could not write audit event ${type}: ${(error as Error).message}`);
    }
  },

  async list({
    page = 1,
    pageSize = 25,
    userId,
    type,
  }: {
    page?: number;
    pageSize?: number;
    userId?: number;
    type?: string;
  }) {
    const where: Record<string, unknown> = {};
    if (userId !== undefined) where.userId = userId;
    if (type) where.type = type;
    const [results, total] = await Promise.all([
      strapi.db.query(UID.event).findMany({
        where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        offset: (page - 1) * pageSize,
        limit: pageSize,
      }),
      strapi.db.query(UID.event).count({ where }),
    ]);
    return {
      results: results.map((e: any) => ({
        id: e.id,
        type: e.type,
        userId: e.userId,
        method: e.method,
        ip: e.ip,
        userAgent: e.userAgent,
        details: e.details,
        createdAt: e.createdAt,
      })),
      pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) },
    };
  },
});
