import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID, getService } from '../utils/plugin';
import { toNumber } from '../utils/db';
import type { RequestMeta } from '../utils/request-meta';
import type { Method } from '../vocabulary';

export interface UserTwoFactorState {
  id: number;
  username: string | null;
  email: string | null;
  blocked: boolean;
  role: { type: string; name: string } | null;
  /** Confirmed methods only: a pending enrolment protects nothing yet. */
  methods: Method[];
  backupCodesRemaining: number;
  /** ISO time while the account's second factor is locked, else null. */
  lockedUntil: string | null;
  /**
   * A confirmed authenticator secret that the configured keys cannot decrypt: the key it was
   * sealed with is missing (the log says which and how to fix it). Such a user's authenticator
   * codes are refused until the key is back or they are reset.
   */
  keyMissing: boolean;
  /** A user of a required role without a factor, inside the grace period: the ISO deadline. */
  setupRequiredBy: string | null;
  /** Remembered devices whose logins skip the second factor. */
  devices: number;
  /** Passkeys (WebAuthn credentials) registered; the reset removes them with the other factors. */
  passkeys: number;
}

export interface Page<T> {
  results: T[];
  pagination: { page: number; pageSize: number; total: number; pageCount: number };
}

const byUser = <T extends { userId: unknown }>(rows: T[]) => {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const id = Number(row.userId);
    if (!map.has(id)) map.set(id, []);
    map.get(id)!.push(row);
  }
  return map;
};

/** The operator's view of users-permissions users and their 2FA, and the admin reset (docs/admin.md). */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const users = () => strapi.db.query(UID.user);

  return {
    async list({
      page = 1,
      pageSize = 25,
      search,
      only,
    }: {
      page?: number;
      pageSize?: number;
      search?: string;
      /** Only these users (one user's state after a change). */
      only?: number[];
    }): Promise<Page<UserTwoFactorState>> {
      const where: Record<string, unknown> = search
        ? { $or: [{ username: { $containsi: search } }, { email: { $containsi: search } }] }
        : {};
      if (only) where.id = { $in: only };
      const [rows, total] = await Promise.all([
        users().findMany({
          where,
          select: ['id', 'username', 'email', 'blocked'],
          populate: { role: { select: ['type', 'name'] } },
          orderBy: { id: 'asc' },
          offset: (page - 1) * pageSize,
          limit: pageSize,
        }),
        users().count({ where }),
      ]);
      const ids = rows.map((row: any) => row.id);
      // Five queries for the whole page rather than five per user.
      const [factors, codes, throttles, devices, passkeys] = ids.length
        ? await Promise.all([
            strapi.db.query(UID.factor).findMany({
              where: { userId: { $in: ids }, confirmedAt: { $notNull: true } },
              select: ['userId', 'method', 'secret'],
              orderBy: { id: 'asc' },
            }),
            strapi.db.query(UID.backupCode).findMany({ where: { userId: { $in: ids }, usedAt: null }, select: ['userId'] }),
            strapi.db.query(UID.throttle).findMany({ where: { userId: { $in: ids } }, select: ['userId', 'lockedUntil'] }),
            getService(strapi, 'devices').countByUser(ids),
            strapi.db.query(UID.passkey).findMany({ where: { userId: { $in: ids } }, select: ['userId'] }),
          ])
        : [[], [], [], new Map<number, number>(), []];
      const passkeysOf = byUser(passkeys as any[]);
      const factorsOf = byUser(factors as any[]);
      const codesOf = byUser(codes as any[]);
      const throttleOf = byUser(throttles as any[]);
      const now = Date.now();
      const rotation = getService(strapi, 'keyRotation');
      const deadlines = await this.setupDeadlines(rows.filter((row: any) => !factorsOf.has(row.id)));

      return {
        results: rows.map((row: any) => {
          const lockedUntil = toNumber(throttleOf.get(row.id)?.[0]?.lockedUntil);
          return {
            id: row.id,
            username: row.username ?? null,
            email: row.email ?? null,
            blocked: row.blocked === true,
            role: row.role ? { type: row.role.type, name: row.role.name } : null,
            methods: [...new Set((factorsOf.get(row.id) ?? []).map((f: any) => f.method as Method))],
            backupCodesRemaining: codesOf.get(row.id)?.length ?? 0,
            lockedUntil: lockedUntil !== null && lockedUntil > now ? new Date(lockedUntil).toISOString() : null,
            keyMissing: (factorsOf.get(row.id) ?? []).some((f: any) => f.method === 'totp' && f.secret && !rotation.readable(f.secret)),
            setupRequiredBy: deadlines.get(row.id) ?? null,
            devices: devices.get(row.id) ?? 0,
            passkeys: passkeysOf.get(row.id)?.length ?? 0,
          };
        }),
        pagination: { page, pageSize, total, pageCount: Math.ceil(total / pageSize) },
      };
    },

    /** The set-up deadlines of users without a factor in a required role, while they are still ahead. */
    async setupDeadlines(rows: { id: number; role?: { type?: string } | null }[]): Promise<Map<number, string>> {
      const { enforcedRoles } = await getService(strapi, 'settings').get();
      const deadlines = new Map<number, string>();
      for (const row of rows) {
        if (!row.role?.type || !enforcedRoles.includes(row.role.type)) continue;
        const deadline = await getService(strapi, 'enforcement').deadline(row.id, row.role.type);
        if (deadline && deadline.getTime() > Date.now()) deadlines.set(row.id, deadline.toISOString());
      }
      return deadlines;
    },

    /**
     * Lifts the lock on a user's second factor (the failure count starts again), keeping every
     * factor and code; audited `admin.unlock` with the admin who did it.
     */
    async unlock(userId: number, admin: { id: number }, meta?: RequestMeta) {
      const user = await users().findOne({ where: { id: userId }, select: ['id'] });
      if (!user) throw new errors.NotFoundError('User not found');
      await getService(strapi, 'throttle').clear(user.id);
      await getService(strapi, 'audit').record('admin.unlock', { userId: user.id, meta, details: { adminId: admin.id } });
      const [state] = (await this.list({ page: 1, pageSize: 1, only: [user.id] })).results;
      return { id: user.id, methods: state.methods, backupCodesRemaining: state.backupCodesRemaining, lockedUntil: null, keyMissing: state.keyMissing };
    },

    /**
     * Removes every factor, backup code, pending login (J5) and the lock of a user, records
     * `admin.reset` with the admin who did it, and tells the user (L3, L4).
     */
    async reset(userId: number, admin: { id: number }, meta?: RequestMeta) {
      const user = await users().findOne({ where: { id: userId }, select: ['id', 'email'] });
      if (!user) throw new errors.NotFoundError('User not found');
      // What the user had, for the audit log and the notice: the methods they had, not every method there is.
      const removed = await strapi.db.transaction(async () => {
        const [factors, backupCodes] = await Promise.all([
          strapi.db.query(UID.factor).findMany({ where: { userId: user.id, confirmedAt: { $notNull: true } }, select: ['method'] }),
          strapi.db.query(UID.backupCode).count({ where: { userId: user.id, usedAt: null } }),
        ]);
        await getService(strapi, 'factors').removeEverything(user.id, { throttle: true });
        return { methods: [...new Set(factors.map((f: any) => String(f.method)))], backupCodes: Number(backupCodes) };
      });
      await getService(strapi, 'audit').record('admin.reset', {
        userId: user.id,
        meta,
        details: { adminId: admin.id, methods: removed.methods.join(',') || null, backupCodes: removed.backupCodes },
      });
      await getService(strapi, 'notifications').notify('admin.reset', { userId: user.id, meta, removed });
      return { id: user.id, methods: [] as Method[], backupCodesRemaining: 0, lockedUntil: null, keyMissing: false, devices: 0, passkeys: 0 };
    },

    /** Forgets every remembered device of a user (their next logins need the second factor), audited with the admin. */
    async revokeDevices(userId: number, admin: { id: number }, meta?: RequestMeta) {
      const user = await users().findOne({ where: { id: userId }, select: ['id'] });
      if (!user) throw new errors.NotFoundError('User not found');
      const count = await getService(strapi, 'devices').removeAll(user.id);
      await getService(strapi, 'audit').record('device.revoked', { userId: user.id, meta, details: { adminId: admin.id, count, all: true } });
      return { id: user.id, devices: 0 };
    },
  };
};
